import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BeautyspotOptions } from '../compiler/context.js';
import type { Diagnostic } from '../compiler/diagnostics.js';

/**
 * The compile service's protocol: newline-delimited JSON over a unix socket, one answer line per request line.
 * Requests carry the client's cwd, which diagnostics' paths (and the root of files outside any package) are
 * relative to.
 */

/** The Node loader's request: rewrite, then strip types (the answer is a CompiledModule). */
export interface ModuleRequest { kind: 'module'; fileName: string; code: string; cwd: string; commonjs: boolean }
/** The bundler plugin's request: rewrite only (the answer is a PluginTransform). */
export interface TransformRequest { kind: 'transform'; fileName: string; code: string; cwd: string; options: BeautyspotOptions }
/** For tests and tools: the service's pid and how many compile requests it answered. */
export interface StatusRequest { kind: 'status' }
export type CompileRequest = ModuleRequest | TransformRequest;
export type ServiceRequest = CompileRequest | StatusRequest;

export interface ServiceStatus { pid: number; answered: number; contexts: number }

/** What the plugin needs of one transform (`output` null: the file had nothing to rewrite); also what it caches. */
export interface PluginTransform {
  output: { code: string; map: string } | null;
  dependencies: string[];
  warnings: string[];
}

/** A compile's result, or the BeautyspotBuildError's diagnostics as data. */
export type Answer<T> = { value: T } | { diagnostics: Diagnostic[] };

/** On the wire, an answer or what went wrong in the service (the client then compiles in-process). */
export type ServiceAnswer = Answer<unknown> | { status: ServiceStatus } | { failure: string };

/** BEAUTYSPOT_COMPILE_SERVICE=0 turns the service off; under vitest it is off unless set to 1. */
export function serviceEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env.BEAUTYSPOT_COMPILE_SERVICE;
  if (setting !== undefined && setting !== '') return setting !== '0';
  return env.VITEST === undefined;
}

/** How long the service waits for a request before it exits (BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS, default 5 min). */
export function idleMs(env: NodeJS.ProcessEnv = process.env): number {
  return positive(env.BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS) ?? 300_000;
}

/** How long a client waits for an answer before it compiles in-process (BEAUTYSPOT_COMPILE_SERVICE_TIMEOUT_MS, default 20 s). */
export function answerTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return positive(env.BEAUTYSPOT_COMPILE_SERVICE_TIMEOUT_MS) ?? 20_000;
}

function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return text && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The socket of the service for one project and compiler: `<tmpdir>/beautyspot-<uid>/<hash>.sock`, short enough
 * for the 107-byte limit of socket paths. The directory is private to the user, so no one else can stand in for
 * the service; undefined (no service) when it cannot be made so, or on Windows (no unix sockets).
 */
export function socketPath(projectDir: string, identity: string): string | undefined {
  if (process.platform === 'win32' || !process.getuid) return undefined;
  const dir = join(tmpdir(), `beautyspot-${process.getuid()}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (st.uid !== process.getuid() || (st.mode & 0o077) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return join(dir, `${createHash('sha256').update(`${projectDir}\0${identity}`).digest('hex').slice(0, 24)}.sock`);
}
