import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDebug } from '../../runtime/log.js';
import { cacheDir, compilerIdentity } from '../transform-cache.js';
import { askService } from './ask.js';
import { answerTimeoutMs, serviceEnabled, socketPath, type Answer, type CompileRequest } from './protocol.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

/** Sockets this process stopped asking (a service that hung or failed) or has started a service on. */
const given = new Set<string>();
const started = new Set<string>();
const debug = createDebug('beautyspot:service');

export interface Compiled<T> {
  answer: Answer<T>;
  /** Whether the compile service gave it (else it was compiled in this process). */
  byService: boolean;
}

/**
 * Asks the project's compile service; without one, compiles in this process (as fast as ever) and starts the
 * service for the next process. A service that fails or does not answer in time is never waited for again by
 * this process. With `warm` (the caller's own compiler has its type program already), compiles in-process: a dev
 * server's edit is compiled faster so (≈ 8 ms) than by a round trip to the service (≈ 20 ms). Run from source (no server.js beside this file), everything is compiled in-process.
 */
export async function compile<T>(request: CompileRequest, inProcess: () => Promise<Answer<T>>, warm = false): Promise<Compiled<T>> {
  const path = !warm && serviceEnabled() && existsSync(SERVER) ? socketPath(cacheDir(dirname(request.fileName.split('?')[0]!)), compilerIdentity()) : undefined;
  if (path === undefined || given.has(path)) return { answer: await inProcess(), byService: false };
  const asked = await askService(path, request, answerTimeoutMs());
  if (asked.kind === 'answer' && ('value' in asked.answer || 'diagnostics' in asked.answer)) {
    return { answer: asked.answer as Answer<T>, byService: true };
  }
  if (asked.kind === 'absent') start(path, request);
  else {
    debug?.(`the compile service on ${path} gave no answer: compiling in-process from now on`);
    given.add(path);
  }
  return { answer: await inProcess(), byService: false };
}

function start(path: string, request: CompileRequest): void {
  if (started.has(path)) return;
  started.add(path);
  const first = JSON.stringify({ ...request, code: undefined });
  try {
    // Without NODE_OPTIONS: hooks it may --import (tsx, this loader) have no business in the service.
    const env = { ...process.env, NODE_OPTIONS: '' };
    spawn(process.execPath, [SERVER, path, first], { detached: true, stdio: 'ignore', cwd: request.cwd, env }).unref();
    debug?.(`starting the compile service on ${path}`);
  } catch {
    // No service: every compile stays in-process.
  }
}
