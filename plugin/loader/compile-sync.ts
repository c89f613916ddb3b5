import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Compiled } from '../service/client.js';
import type { ModuleRequest } from '../service/protocol.js';
import type { CompiledModule } from './compile-module.js';

export interface CompileWorkerData {
  /** The worker runs node's preloads (`--import beautyspot/register`, in NODE_OPTIONS too): they skip it by this. */
  beautyspotCompileWorker: true;
  port: MessagePort;
  /** [0] is 1 once a reply is on the port. */
  done: Int32Array;
}
export type CompileReply = { compiled: Compiled<CompiledModule> } | { error: unknown };

let worker: { port: MessagePort; done: Int32Array } | undefined;

/**
 * Compiles one module for the in-thread hooks, which must answer synchronously: the compile (the service, else
 * ts-morph) runs in a worker started on the first call and kept for the later ones, and this thread sleeps until it
 * answers. A process whose modules all come from the on-disk cache never starts it.
 */
export function compileSync(request: ModuleRequest): Compiled<CompiledModule> {
  worker ??= startWorker();
  Atomics.store(worker.done, 0, 0);
  worker.port.postMessage(request);
  Atomics.wait(worker.done, 0, 0);
  const reply = receiveMessageOnPort(worker.port)!.message as CompileReply;
  if ('error' in reply) throw reply.error;
  return reply.compiled;
}

function startWorker(): { port: MessagePort; done: Int32Array } {
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const data: CompileWorkerData = { beautyspotCompileWorker: true, port: port2, done };
  // No user flags (--import tsx, …): the worker runs only the compiler.
  const thread = new Worker(new URL('./compile-worker.js', import.meta.url), { workerData: data, transferList: [port2], execArgv: [] });
  thread.unref();
  port1.unref();
  return { port: port1, done };
}
