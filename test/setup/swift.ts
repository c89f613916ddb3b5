import { createServer } from 'node:http';
import type { TestProject } from 'vitest/node';
import { startSwift, swiftMissing, type SwiftServer } from '../helpers/swift-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the launcher: GET starts the one shared Swift (first time) and answers with its endpoint. */
    swiftLauncher: string;
  }
}

/**
 * One Swift for every S3 test file, started only when the first of them asks (it takes seconds), so a run
 * without S3 tests never starts it. Test files ask through a small HTTP launcher in this process.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The AWS SDK warns once per process on Node < 22 (its releases from 2027 on need it); test workers inherit this.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let swift: Promise<SwiftServer> | undefined;
  const launcher = createServer((_request, response) => {
    const missing = swiftMissing();
    const answer = missing !== undefined
      ? Promise.resolve({ missing })
      : (swift ??= startSwift()).then(
        ({ endpoint, region, credentials, startMs }) => ({ endpoint, region, credentials, startMs }),
        (error: Error) => ({ error: error.message }));
    void answer.then(body => response.end(JSON.stringify(body)));
  });
  await new Promise<void>(resolve => launcher.listen(0, '127.0.0.1', resolve));
  project.provide('swiftLauncher', `http://127.0.0.1:${(launcher.address() as { port: number }).port}`);
  return async () => {
    launcher.close();
    const started = await swift?.catch(() => undefined);
    await started?.stop();
  };
}
