import { createConnection } from 'node:net';
import type { ServiceAnswer, ServiceRequest } from './protocol.js';

export type Asked =
  | { kind: 'answer'; answer: ServiceAnswer }
  /** No service listens on the socket. */
  | { kind: 'absent' }
  /** A service took the request but gave no answer in time, or closed without one. */
  | { kind: 'broken' };

/** Sends one request to the service on `path` and waits at most `timeoutMs` for its answer line. */
export function askService(path: string, request: ServiceRequest, timeoutMs: number): Promise<Asked> {
  return new Promise(done => {
    let connected = false;
    let buffered = '';
    const socket = createConnection(path);
    const finish = (asked: Asked): void => {
      clearTimeout(timer);
      socket.destroy();
      done(asked);
    };
    const timer = setTimeout(() => finish(connected ? { kind: 'broken' } : { kind: 'absent' }), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', chunk => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      try {
        finish({ kind: 'answer', answer: JSON.parse(buffered.slice(0, end)) as ServiceAnswer });
      } catch {
        finish({ kind: 'broken' });
      }
    });
    socket.on('error', () => finish(connected ? { kind: 'broken' } : { kind: 'absent' }));
    socket.on('close', () => finish(connected ? { kind: 'broken' } : { kind: 'absent' }));
  });
}
