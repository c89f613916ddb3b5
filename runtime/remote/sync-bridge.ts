// PLACEHOLDER until the bridge helper's SyncBridge is merged (same API); this commit is dropped on rebase.
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { BeautyspotError } from '../errors.js';

export interface BridgeTarget {
  module: string;
  factory: string;
  args: unknown[];
}

export class RemoteTimeoutError extends BeautyspotError {
  override name = 'RemoteTimeoutError';
}

type Reply = { id: number; value?: unknown; error?: { name: string; message: string } };

export class SyncBridge {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;

  constructor(private readonly target: BridgeTarget) {}

  call<T>(method: string, args: unknown[], timeoutMs: number): T {
    const port = this.open();
    const id = ++this.nextId;
    Atomics.store(this.signal, 0, 0);
    port.postMessage({ id, method, args });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new RemoteTimeoutError(`[beautyspot] ${method} got no answer within ${timeoutMs} ms`);
      Atomics.wait(this.signal, 0, 0, left);
      Atomics.store(this.signal, 0, 0);
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const reply = m.message as Reply;
        if (reply.id !== id) continue;
        if (reply.error) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
        return reply.value as T;
      }
    }
  }

  post(method: string, args: unknown[]): void {
    this.open().postMessage({ id: 0, method, args });
  }

  drain(timeoutMs: number): void {
    this.call('__drain', [], timeoutMs);
  }

  close(): void {
    this.port?.close();
    void this.worker?.terminate();
    this.worker = undefined;
    this.port = undefined;
  }

  private open(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(new URL('./sync-bridge-worker.js', import.meta.url), {
      workerData: { target: this.target, port: port2, signal: this.signal },
      transferList: [port2],
    });
    this.worker.unref();
    port1.unref();
    this.port = port1;
    return port1;
  }
}
