import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ts } from 'ts-morph';
import type { BeautyspotOptions } from '../compiler/context.js';
import { findUp } from '../../runtime/project-root.js';
import { answer, BeautyspotContext } from './answer.js';
import { askService } from './ask.js';
import { FileStamps } from './file-stamps.js';
import { idleMs, type CompileRequest, type ServiceAnswer, type ServiceRequest } from './protocol.js';

/**
 * The compile service: `node server.js <socket> [first request as JSON, without its code]`, started detached by
 * a client that found none. It keeps one BeautyspotContext (one warm type program) per tsconfig and options, and
 * before each answer refreshes what changed on disk, so an answer is what a fresh in-process compile would give.
 */

interface Held {
  context: BeautyspotContext;
  /** tsconfig.json and the files it extends: a change makes a new context (compiler options are read once). */
  config: FileStamps;
  /** The type program's files and their directories. */
  files: FileStamps;
}

const held = new Map<string, Held>();
let answered = 0;

function handle(request: ServiceRequest): ServiceAnswer {
  if (request.kind === 'status') return { status: { pid: process.pid, answered, contexts: held.size } };
  restartIdleTimer();
  // Diagnostics' paths, and the root of a file outside any package, are relative to the client's directory.
  process.chdir(request.cwd);
  const options = request.kind === 'transform' ? request.options : {};
  const tsconfig = options.tsconfig ? resolve(options.tsconfig) : findUp(dirname(request.fileName.split('?')[0]!), 'tsconfig.json');
  const key = JSON.stringify([tsconfig ?? null, options]);
  const entry = fresh(key) ?? open(key, tsconfig, options);
  try {
    const result = answer(entry.context, request);
    entry.files.track(entry.context.sourceFiles());
    answered++;
    return result;
  } catch (error) {
    held.delete(key);
    return { failure: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
}

/** The context for this key with every change on disk applied, or undefined when it has to be made anew. */
function fresh(key: string): Held | undefined {
  const entry = held.get(key);
  if (!entry) return undefined;
  const files = entry.files.changes();
  if (entry.config.changes().files.length > 0 || files.listings) {
    held.delete(key);
    return undefined;
  }
  for (const file of files.files) entry.context.invalidate(file);
  return entry;
}

function open(key: string, tsconfig: string | undefined, options: BeautyspotOptions): Held {
  const config = new FileStamps();
  if (tsconfig) config.track(configFiles(tsconfig));
  const entry: Held = { context: new BeautyspotContext(options), config, files: new FileStamps() };
  held.set(key, entry);
  return entry;
}

/** tsconfig.json and every file its `extends` chain names. */
function configFiles(tsconfig: string): string[] {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, host);
  const file = parsed?.options.configFile as ts.TsConfigSourceFile | undefined;
  return [tsconfig, ...(file?.extendedSourceFiles ?? [])];
}

function serve(socket: Socket): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', chunk => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let reply: ServiceAnswer;
      try {
        reply = handle(JSON.parse(line) as ServiceRequest);
      } catch (error) {
        reply = { failure: String(error) };
      }
      socket.write(`${JSON.stringify(reply)}\n`);
    }
  });
}

let idle: NodeJS.Timeout | undefined;
let server: Server | undefined;

/** Idle means no compile requests (status requests do not count). */
function restartIdleTimer(): void {
  clearTimeout(idle);
  idle = setTimeout(() => server?.close(() => process.exit(0)), idleMs());
}

function listen(path: string): Promise<Server> {
  return new Promise((done, fail) => {
    const s = createServer(serve);
    s.once('error', fail);
    s.listen(path, () => done(s));
  });
}

/**
 * Binds the socket, or leaves it to a live service: two clients that start a service at once get one. A socket
 * file nobody answers on (a killed service) is replaced by the one starter that gets its lock file.
 */
async function bind(path: string): Promise<Server | undefined> {
  try {
    return await listen(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  }
  if ((await askService(path, { kind: 'status' }, 5_000)).kind !== 'absent') return undefined;
  const lock = `${path}.lock`;
  try {
    closeSync(openSync(lock, 'wx'));
  } catch {
    // Another starter holds it; a lock left by a starter that died is taken over after a while.
    if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 10_000) return undefined;
  }
  try {
    // A starter that held the lock before us may have bound meanwhile: its socket must not be removed.
    if ((await askService(path, { kind: 'status' }, 5_000)).kind !== 'absent') return undefined;
    rmSync(path, { force: true });
    return await listen(path);
  } finally {
    rmSync(lock, { force: true });
  }
}

const [socket, first] = process.argv.slice(2);
server = await bind(socket!);
if (!server) process.exit(0);
restartIdleTimer();
// Warm up with the request that had no service to go to: the next run finds the program built.
if (first) {
  const request = JSON.parse(first) as CompileRequest;
  setImmediate(() => {
    try {
      handle({ ...request, code: readFileSync(request.fileName, 'utf8') });
    } catch {
      // The file went away: nothing to warm.
    }
  });
}
