// The compile service in trials: a TMPDIR of the trial's own (where services put their sockets), the environment
// that turns the service on or off for a child, and stop(), which kills every service under that TMPDIR.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { REPO } from './project.js';

const { askService } = await import(join(REPO, 'dist', 'plugin', 'service', 'ask.js'));

export function privateServices() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'beautyspot-bench-service-'));
  const dir = join(tmp, `beautyspot-${process.getuid()}`);
  const statuses = async () => {
    const sockets = existsSync(dir) ? readdirSync(dir).filter(n => n.endsWith('.sock')) : [];
    const asked = await Promise.all(sockets.map(n => askService(join(dir, n), { kind: 'status' }, 5_000)));
    return asked.filter(a => a.kind === 'answer' && a.answer.status).map(a => a.answer.status);
  };
  return {
    tmp,
    env: on => ({ TMPDIR: tmp, BEAUTYSPOT_COMPILE_SERVICE: on ? '1' : '0' }),
    /** Waits (at most two minutes) until a service has answered a compile request: its program is built. */
    async warm() {
      for (let waited = 0; waited < 120_000; waited += 200) {
        if ((await statuses()).some(s => s.answered > 0)) return;
        await new Promise(done => setTimeout(done, 200));
      }
      throw new Error('the compile service did not come up');
    },
    async stop() {
      for (const { pid } of await statuses()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
