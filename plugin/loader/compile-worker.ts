import { workerData } from 'node:worker_threads';
import { compileRequest } from './compile-request.js';
import type { CompileReply, CompileWorkerData } from './compile-sync.js';

// The worker compile-sync.ts starts on the first module the on-disk cache does not hold: it compiles as the hooks
// worker of `module.register` does, and wakes the waiting thread once the reply is on the port.
const { port, done } = workerData as CompileWorkerData;
/** Whether a thread waits for a reply (it sends one request at a time, and waits for its reply). */
let waited = false;

port.on('message', (request: Parameters<typeof compileRequest>[0]) => {
  waited = true;
  compileRequest(request).then(compiled => reply({ compiled }), (error: unknown) => reply({ error }));
});

// An error outside the compile's promise (an event nobody listens to) would end this worker, and the waiting
// thread would sleep for ever: it gets the error instead. Between requests there is no one to tell.
process.on('uncaughtException', error => reply({ error }));

function reply(message: CompileReply): void {
  if (!waited) return;
  waited = false;
  port.postMessage(message);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
