// `node --import ./module-log.mjs …`: appends the URL of every module the process resolves to $MODULE_LOG, one
// a line (module hooks run on their own thread, so the file is the simplest way back).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
