import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { askService } from '../../plugin/service/ask.js';
import type { ServiceAnswer, ServiceRequest, ServiceStatus } from '../../plugin/service/protocol.js';

const SERVER = fileURLToPath(new URL('../../dist/plugin/service/server.js', import.meta.url));

/**
 * Compile services of one test, kept apart from any other by a TMPDIR of their own (where services put their
 * sockets). stop() kills every service that answered under it, so no test leaves one running.
 */
export class ServiceSandbox {
  readonly tmp = mkdtempSync(join(tmpdir(), 'beautyspot-service-test-'));
  private readonly pids = new Set<number>();
  private readonly children = new Set<ChildProcess>();

  /** The environment that makes children use (and start) services under this sandbox. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { TMPDIR: this.tmp, BEAUTYSPOT_COMPILE_SERVICE: '1', BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS: '60000', ...extra };
  }

  /** The directory clients put sockets in, as plugin/service/protocol.ts names it. */
  get socketDir(): string {
    return join(this.tmp, `beautyspot-${process.getuid!()}`);
  }

  sockets(): string[] {
    if (!existsSync(this.socketDir)) return [];
    return readdirSync(this.socketDir).filter(name => name.endsWith('.sock')).map(name => join(this.socketDir, name));
  }

  /** Starts a service on `socket` as a client would (detached), with this sandbox's environment. */
  start(socket: string, extra: Record<string, string> = {}): ChildProcess {
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    const child = spawn(process.execPath, [SERVER, socket], { stdio: 'ignore', env: { ...process.env, ...this.env(extra) } });
    this.children.add(child);
    return child;
  }

  async ask(socket: string, request: ServiceRequest): Promise<ServiceAnswer> {
    const asked = await askService(socket, request, 60_000);
    if (asked.kind !== 'answer') throw new Error(`the service on ${socket} gave no answer (${asked.kind})`);
    return asked.answer;
  }

  /** The status of the service on `socket`, or undefined when none answers. */
  async status(socket: string): Promise<ServiceStatus | undefined> {
    const asked = await askService(socket, { kind: 'status' }, 10_000);
    if (asked.kind !== 'answer' || !('status' in asked.answer)) return undefined;
    this.pids.add(asked.answer.status.pid);
    return asked.answer.status;
  }

  /** Polls until `ready` gives a value (at most a minute: a loaded machine starts services slowly). */
  async waitFor<T>(what: string, ready: () => Promise<T | undefined> | T | undefined): Promise<T> {
    for (let waited = 0; waited < 60_000; waited += 100) {
      const value = await ready();
      if (value !== undefined) return value;
      await new Promise(done => setTimeout(done, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** The one service that comes to answer under this sandbox. */
  async service(): Promise<{ socket: string; status: ServiceStatus }> {
    return this.waitFor('a compile service', async () => {
      for (const socket of this.sockets()) {
        const status = await this.status(socket);
        if (status) return { socket, status };
      }
      return undefined;
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets()) await this.status(socket);
    for (const pid of this.pids) kill(pid);
    for (const child of this.children) child.kill('SIGKILL');
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
