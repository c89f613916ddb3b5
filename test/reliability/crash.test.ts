import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { seeded, type Rand } from '../helpers/arbitraries.js';
import { killLeftovers, linesOf, startNode } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';
import { integrityCheck, reliabilityDb, verifyCache } from '../helpers/verify-cache.js';

const WORKER = fileURLToPath(new URL('./crash-worker.mjs', import.meta.url));
const KILLS = 24;
/** Rounds whose worker finished its span before the kill came do not count as kills; this bounds them. */
const MAX_ROUNDS = 40;
/** Calls a killed round is given; the kill comes long before the end. */
const ROUND_SPAN = 600;
/** After the kills, an uninterrupted round finishes every call below this. */
const TARGET_CALLS = 1_200;
const TIME_BUDGET_MS = 120_000;

afterAll(killLeftovers);

interface Kill {
  /** Kill this long after the worker reported this many calls (0: after its spawn). */
  afterLines: number;
  delayMs: number;
}

/** A quarter of the kills land at any time from spawn (start-up, opening and creating the store), the rest a few ms after a random call. */
function drawKill(rand: Rand): Kill {
  if (rand() < 0.25) return { afterLines: 0, delayMs: Math.floor(rand() * 400) };
  return { afterLines: 1 + Math.floor(rand() * 60), delayMs: Math.floor(rand() * 5) };
}

interface Round {
  killed: boolean;
  /** Ids of the calls the worker reported as returned with the right value. */
  reported: number[];
  /** How many of them ran their body (the rest were hits of an earlier round's work). */
  runs: number;
}

async function runRound(dir: string, from: number, to: number, kill: Kill | undefined, at: string): Promise<Round> {
  const round: Round = { killed: false, reported: [], runs: 0 };
  const malformed: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const killIn = (ms: number): void => {
    timer = setTimeout(() => child.process.kill('SIGKILL'), ms);
  };
  const child = startNode(WORKER, {
    args: [dir, String(from), String(to)],
    timeoutMs: 60_000,
    onLine: line => {
      const match = /^(\d+) (hit|run)$/.exec(line);
      if (!match) {
        malformed.push(line);
        return;
      }
      round.reported.push(Number(match[1]));
      if (match[2] === 'run') round.runs++;
      if (kill && timer === undefined && round.reported.length >= kill.afterLines) killIn(kill.delayMs);
    },
  });
  if (kill?.afterLines === 0) killIn(kill.delayMs);
  const result = await child.result;
  clearTimeout(timer);
  expect(result.timedOut, `${at}: a crash worker timed out`).toBe(false);
  expect(linesOf(result.stderr), `${at}: a crash worker printed on stderr`).toEqual([]);
  expect(malformed, `${at}: a crash worker printed lines that are not reports`).toEqual([]);
  round.killed = result.signal === 'SIGKILL';
  if (!round.killed) expect(result.code, `${at}: a crash worker failed`).toBe(0);
  return round;
}

function firstUnreported(reported: Set<number>): number {
  let id = 0;
  while (reported.has(id)) id++;
  return id;
}

it('a worker killed at random moments never loses a call it reported, and the store stays intact', async () => {
  const seed = Number(process.env.BEAUTYSPOT_CRASH_SEED ?? randomInt(2 ** 31));
  const at = `seed ${seed} (rerun with BEAUTYSPOT_CRASH_SEED=${seed})`;
  const rand = seeded(seed);
  const dir = tempDir('bs-crash-');
  const start = performance.now();
  const deadline = Date.now() + TIME_BUDGET_MS;
  const reported = new Set<number>();
  let kills = 0;
  let killsBeforeAnyReport = 0;
  let rounds = 0;
  let runs = 0;
  let probed = 0;
  let verifiedHits = 0;
  let verifications = 0;

  /** Integrity of the file, then a fresh reader: every call reported so far is a hit with its value. */
  const verify = async (): Promise<void> => {
    const file = reliabilityDb(dir);
    if (existsSync(file)) expect(integrityCheck(file), at).toBe('ok');
    else expect(reported.size, `${at}: calls were reported but there is no store`).toBe(0);
    const report = await verifyCache(dir, probed, reported);
    expect(report.errors, at).toEqual([]);
    expect(report.wrong, `${at}: hits with a wrong value`).toEqual([]);
    expect(report.lost, `${at}: reported calls that are not in the cache`).toEqual([]);
    expect(report.executed, at).toBe(0);
    verifiedHits += report.hits;
    verifications++;
  };
  const work = async (from: number, to: number, kill: Kill | undefined): Promise<Round> => {
    rounds++;
    probed = Math.max(probed, to);
    const round = await runRound(dir, from, to, kill, at);
    for (const id of round.reported) reported.add(id);
    runs += round.runs;
    await verify();
    return round;
  };

  while (kills < KILLS && rounds < MAX_ROUNDS && Date.now() < deadline) {
    const from = firstUnreported(reported);
    const round = await work(from, from + ROUND_SPAN, drawKill(rand));
    if (!round.killed) continue;
    kills++;
    if (round.reported.length === 0) killsBeforeAnyReport++;
  }
  expect(kills, `${at}: kills within ${MAX_ROUNDS} rounds and ${TIME_BUDGET_MS / 1000} s`).toBe(KILLS);

  // The cache grew across the kills; an uninterrupted run finishes the rest.
  const end = Math.max(TARGET_CALLS, firstUnreported(reported));
  const last = await work(firstUnreported(reported), end, undefined);
  expect(last.killed).toBe(false);
  expect(firstUnreported(reported), at).toBe(end);

  const seconds = (performance.now() - start) / 1000;
  console.log(`crash: seed ${seed}, ${kills} kills (${killsBeforeAnyReport} before the first report) in ${rounds} rounds, ${reported.size} calls reported (${runs} ran, ${reported.size - runs} found already cached after a kill), ` +
    `${verifiedHits} verified hits in ${verifications} verifier runs, 0 lost, 0 wrong, ${seconds.toFixed(1)} s`);
}, 180_000);
