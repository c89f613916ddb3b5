// The scale-out scenarios of one pipeline whose code never changes: "machines" are processes with cache directories
// of their own, sharing a real redis-server (single or cluster) and a real S3-compatible server (Swift + s3api)
// through BEAUTYSPOT_STORE / BEAUTYSPOT_BLOBS and the standard AWS variables.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject } from '../e2e/fixture-project.js';
import { expectEachOnce, expectRerunAfterKill, expectTakeOver, raceFor } from '../helpers/flight.js';
import { killLeftovers, linesOf, startNode, type ChildResult } from '../helpers/node-child.js';
import { requireRedis, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../helpers/redis-servers.js';
import { useSharedSwift, type SwiftEndpoint } from '../helpers/shared-swift.js';
import { forwardTo, type TcpForwarder } from '../helpers/tcp-forwarder.js';
import { tempDir } from '../helpers/temp-spot.js';

const PIPELINE = fileURLToPath(new URL('./pipeline-worker.mjs', import.meta.url));
const LIMITED = fileURLToPath(new URL('../reliability/shared-limit-worker.mjs', import.meta.url));
const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'src', 'cli.js');
const BUCKET = 'bs-scale-out';
const FUNCTIONS = ['smallSync', 'bigSync', 'smallAsync', 'bigAsync'] as const;

interface PipelineReport {
  executed: Record<(typeof FUNCTIONS)[number], number[]>;
  hits: number;
  wrong: string[];
}

afterAll(killLeftovers);

const hasRedis = requireRedis('scale-out');
const swift = useSharedSwift(BUCKET);
let redis: RedisServer;
let run = 0;

beforeAll(async () => {
  if (hasRedis) redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

/** The environment of one "machine": its own namespace in the shared servers per test (`run`), nothing else. */
function remoteEnv(s3: SwiftEndpoint, store = `${redis.url}?prefix=t${run}:`, endpoint = s3.endpoint): Record<string, string> {
  return {
    BEAUTYSPOT_STORE: store,
    BEAUTYSPOT_BLOBS: `s3://${BUCKET}/t${run}`,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function runPipeline(dir: string, env: Record<string, string>, ids: [first: number, count: number], pauseMs = 0,
  onLine?: (line: string) => void): Promise<ChildResult> {
  return startNode(PIPELINE, { args: [dir, String(ids[0]), String(ids[1]), String(pauseMs)], env, timeoutMs: 120_000, onLine }).result;
}

function reportOf(result: ChildResult): PipelineReport {
  expect(result.timedOut, 'the pipeline timed out').toBe(false);
  expect(result.code, `the pipeline failed:\n${result.stderr}`).toBe(0);
  return JSON.parse(linesOf(result.stdout).at(-1)!) as PipelineReport;
}

const ids = (first: number, count: number): number[] => Array.from({ length: count }, (_, i) => first + i);
const each = (list: number[]): PipelineReport['executed'] => ({ smallSync: list, bigSync: list, smallAsync: list, bigAsync: list });

describe.runIf(hasRedis)('two machines sharing Redis + S3', () => {
  it('a result computed on one is served on the other without running the body: inline and blob, sync and async', async () => {
    run++;
    const env = remoteEnv(swift());
    const [a, b] = [tempDir('bs-machine-a-'), tempDir('bs-machine-b-')];
    const first = reportOf(await runPipeline(a, env, [0, 5]));
    expect(first).toEqual({ executed: each(ids(0, 5)), hits: 0, wrong: [] });
    const second = reportOf(await runPipeline(b, env, [0, 5]));
    expect(second).toEqual({ executed: each([]), hits: 20, wrong: [] });
    // Nothing was kept on either machine: the entries live in Redis, the blobs in S3.
    for (const dir of [a, b]) {
      expect(existsSync(join(dir, 'pipeline.sqlite')), `${dir} has a local cache file`).toBe(false);
      expect(existsSync(join(dir, 'pipeline.blobs')), `${dir} has local blobs`).toBe(false);
    }
  });

  it('the same script, unchanged, under `beautyspot run`: the second machine runs no marked body', () => {
    run++;
    const env = { ...remoteEnv(swift()), DEBUG: '', BEAUTYSPOT_SUMMARY: '' };
    // One checkout (function ids are paths in the project), two machines: two cache directories.
    const project = FixtureProject.create('scale-out', 'run-script');
    try {
      const [a, b] = ['machine-a', 'machine-b'].map(machine => {
        const result = project.spawn([CLI, 'run', project.path('src/main.ts')], { ...env, BEAUTYSPOT_DIR: project.path(machine) });
        expect(result.status, result.stderr).toBe(0);
        return JSON.parse(result.stdout.split('\n').find(line => line.startsWith('{'))!) as { results: unknown; ran: Record<string, number> };
      });
      expect(a!.ran).toEqual({ 'priceOf:pear': 1, 'priceOf:fig': 1, 'shout:hello': 1 });
      expect(b!.ran).toEqual({});
      expect(b!.results).toEqual(a!.results);
    } finally {
      project.remove();
    }
  });

  it('Redis stopped mid-run and started again: every call returns its result, and what was computed meanwhile reaches Redis', async () => {
    run++;
    const env = remoteEnv(swift());
    let step!: (id: number) => void;
    const onLine = (line: string): void => {
      if (line.startsWith('done ')) step(Number(line.slice(5)));
    };
    const outage = new Promise<void>(resolve => {
      step = id => {
        if (id === 2) void redis.kill();
        if (id === 6) void redis.restart().then(resolve);
      };
    });
    const machine = tempDir('bs-outage-');
    const result = await runPipeline(machine, env, [0, 12], 150, onLine);
    await outage;
    const report = reportOf(result);
    expect(report).toEqual({ executed: each(ids(0, 12)), hits: 0, wrong: [] });
    const warnings = linesOf(result.stderr);
    expect(warnings.filter(line => /store cannot be reached/.test(line)), warnings.join('\n')).toHaveLength(1);
    await expectKeptThrough(machine, env, 'a kill: the entries before it were in its memory only');
  }, 120_000);

  /**
   * After an outage on `machine`: its next run recomputes at most what the server itself lost (ids 0–3), and every
   * result computed during the outage reached the shared servers from its local tier, so a fresh machine hits all.
   */
  async function expectKeptThrough(machine: string, env: Record<string, string>, lost: string): Promise<void> {
    const again = reportOf(await runPipeline(machine, env, [0, 12]));
    expect(again.wrong).toEqual([]);
    for (const name of FUNCTIONS) expect(again.executed[name].every(id => id <= 3), `${name} ran again for ${again.executed[name]} (${lost})`).toBe(true);
    const fresh = reportOf(await runPipeline(tempDir('bs-after-outage-'), env, [0, 12]));
    expect(fresh).toEqual({ executed: each([]), hits: 48, wrong: [] });
  }

  it('S3 gone mid-run and back: every call returns its result; blobs computed meanwhile reach S3', async () => {
    run++;
    const s3 = swift();
    const forwarder: TcpForwarder = await forwardTo(Number(new URL(s3.endpoint).port));
    try {
      const env = remoteEnv(s3, undefined, `http://127.0.0.1:${forwarder.port}`);
      let step!: (id: number) => void;
      const outage = new Promise<void>(resolve => {
        step = id => {
          if (id === 2) void forwarder.down();
          if (id === 6) void forwarder.up().then(resolve);
        };
      });
      const machine = tempDir('bs-s3-outage-');
      const result = await runPipeline(machine, env, [0, 12], 150, line => line.startsWith('done ') && step(Number(line.slice(5))));
      await outage;
      const report = reportOf(result);
      expect(report).toEqual({ executed: each(ids(0, 12)), hits: 0, wrong: [] });
      expect(linesOf(result.stderr).filter(line => /blob store cannot be reached/.test(line)), result.stderr).toHaveLength(1);
      await expectKeptThrough(machine, env, 'S3 keeps what it had');
    } finally {
      await forwarder.close();
    }
  }, 120_000);
});

describe.runIf(hasRedis)('shared across machines through Redis', () => {
  it('single-flight: 8 processes on 8 machines starting the same 100 keys at once run each body once (async and sync)', async () => {
    for (const mode of ['async', 'sync'] as const) {
      run++;
      const env = { BEAUTYSPOT_STORE: `${redis.url}?prefix=t${run}:` };
      // Each worker gets a directory of its own: the workers share nothing but Redis.
      const reports = await raceFor(() => tempDir('bs-flight-redis-'), 8, { mode, keys: 100, bodyMs: 20, leaseMs: 30_000, env });
      expectEachOnce(reports, 100, 8);
    }
  }, 120_000);

  it('single-flight: a holder that hangs on one machine loses its lease and another machine takes over; one killed is taken over at once', async () => {
    for (const mode of ['async', 'sync'] as const) {
      run++;
      await expectTakeOver(() => tempDir('bs-kill-redis-'), mode, { BEAUTYSPOT_STORE: `${redis.url}?prefix=t${run}:` });
      run++;
      await expectRerunAfterKill(tempDir('bs-rerun-redis-'), mode, { BEAUTYSPOT_STORE: `${redis.url}?prefix=t${run}:` });
    }
  }, 60_000);

  it('Redis index + local blob files: the processes of one machine share blob-sized results', async () => {
    run++;
    const env = { BEAUTYSPOT_STORE: `${redis.url}?prefix=t${run}:` };
    const machine = tempDir('bs-redis-local-blobs-');
    expect(reportOf(await runPipeline(machine, env, [0, 3]))).toEqual({ executed: each(ids(0, 3)), hits: 0, wrong: [] });
    expect(reportOf(await runPipeline(machine, env, [0, 3]))).toEqual({ executed: each([]), hits: 12, wrong: [] });
    expect(existsSync(join(machine, 'pipeline.blobs')), 'the blobs are local files').toBe(true);
    expect(existsSync(join(machine, 'pipeline.sqlite')), 'the entries are not').toBe(false);
  }, 60_000);

  it('a rate limit of rpm 60: 4 processes on 4 machines get about 10 executions in 10 s between them', async () => {
    run++;
    const env = { BEAUTYSPOT_STORE: `${redis.url}?prefix=t${run}:` };
    const workers = await Promise.all(['sync', 'async', 'sync', 'async'].map((mode, i) => startReady(LIMITED, [tempDir('bs-limit-redis-'), mode, String(i), '10000'], env)));
    for (const worker of workers) worker.stdin();
    const reports = (await Promise.all(workers.map(w => w.result))).map(result => {
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(linesOf(result.stdout).at(-1)!) as { executions: number; errors: string[] };
    });
    expect(reports.flatMap(r => r.errors)).toEqual([]);
    const total = reports.reduce((n, r) => n + r.executions, 0);
    console.log(`redis limits: ${reports.map(r => r.executions).join(' + ')} = ${total} executions`);
    expect(total).toBeGreaterThanOrEqual(9);
    expect(total).toBeLessThanOrEqual(12);
  }, 120_000);
});

describe.runIf(hasRedis)('Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    if (hasRedis) cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('single-flight on a 3-master cluster: 8 processes, 100 keys, each body once', async () => {
    run++;
    const env = { BEAUTYSPOT_STORE: `${cluster!.url}?prefix=t${run}:` };
    const reports = await raceFor(() => tempDir('bs-flight-cluster-'), 8, { mode: 'async', keys: 100, bodyMs: 20, leaseMs: 30_000, env });
    expectEachOnce(reports, 100, 8);
  }, 120_000);

  it('two machines share entries and blobs on the cluster + S3', async () => {
    run++;
    const env = remoteEnv(swift(), `${cluster!.url}?prefix=t${run}:`);
    expect(reportOf(await runPipeline(tempDir('bs-cluster-a-'), env, [0, 3]))).toEqual({ executed: each(ids(0, 3)), hits: 0, wrong: [] });
    expect(reportOf(await runPipeline(tempDir('bs-cluster-b-'), env, [0, 3]))).toEqual({ executed: each([]), hits: 12, wrong: [] });
  }, 60_000);
});

/** A worker that prints `ready` and waits for a line on stdin. */
async function startReady(script: string, args: string[], env: Record<string, string>): Promise<{ result: Promise<ChildResult>; stdin: () => void }> {
  let ready!: () => void;
  const isReady = new Promise<void>(resolve => (ready = resolve));
  const child = startNode(script, { args, env, timeoutMs: 60_000, onLine: line => line === 'ready' && ready() });
  await Promise.race([isReady, child.result]);
  return { result: child.result, stdin: () => void child.process.stdin!.end('go\n') };
}
