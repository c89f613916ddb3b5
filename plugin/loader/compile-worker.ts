import { workerData, type MessagePort } from 'node:worker_threads';
import { compileRequest } from './compile-request.js';
import type { CompileReply, CompileWorkerData } from './compile-sync.js';

// The worker compile-sync.ts starts on the first module the on-disk cache does not hold: it compiles as the hooks
// worker of `module.register` does, and wakes the waiting thread when the answer is on the port.
const { port, done } = workerData as CompileWorkerData;

port.on('message', (request: Parameters<typeof compileRequest>[0]) => {
  compileRequest(request).then(
    compiled => reply(port, { compiled }),
    (error: unknown) => reply(port, { error }),
  );
});

function reply(to: MessagePort, message: CompileReply): void {
  to.postMessage(message);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
