// PLACEHOLDER until the bridge helper's SyncBridge is merged; this commit is dropped on rebase.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { BridgeTarget } from './sync-bridge.js';

const { target, port, signal } = workerData as { target: BridgeTarget; port: MessagePort; signal: Int32Array };
const module = await import(target.module) as Record<string, (...args: unknown[]) => Record<string, (...args: unknown[]) => unknown>>;
const object = module[target.factory]!(...target.args);

port.on('message', async ({ id, method, args }: { id: number; method: string; args: unknown[] }) => {
  let reply: { id: number; value?: unknown; error?: { name: string; message: string } };
  try {
    reply = { id, value: method === '__drain' ? undefined : await object[method]!(...args) };
  } catch (error) {
    reply = { id, error: { name: (error as Error).name, message: (error as Error).message } };
  }
  if (id === 0) return;
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
