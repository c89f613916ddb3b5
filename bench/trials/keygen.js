// Trial "keygen": the key of one argument typed as an interface (10 fields, 2 of them nested objects of 4 fields;
// strings, numbers, booleans, arrays of strings), three ways: the key code the compiler generates from the type,
// the runtime's canonical dynamic encoder (KeyWriter + writeDynamic + digest), and the npm package object-hash.
// The generated writer is the compiler's own text: emitKeyCode on the plan the transform made, checked to be what
// the transformed module contains, and the key it writes is checked against the key the compiled module stored.
import { hash } from 'node:crypto';
import { runChild } from '../lib/child.js';
import { compileModule, compiledIds, importCompiled, pluginModule } from '../lib/compile.js';
import { prng } from '../lib/fixture.js';
import { interleave } from '../lib/timing.js';
import { internal, loadRuntime } from '../lib/runtime.js';

const SPOT = 'keygen';
const POOL = 1024;

const SOURCE = `export interface Owner {
  name: string;
  email: string;
  age: number;
  admin: boolean;
}

export interface Limits {
  retries: number;
  timeoutMs: number;
  regions: string[];
  strict: boolean;
}

export interface Job {
  id: string;
  title: string;
  priority: number;
  enabled: boolean;
  tags: string[];
  owner: Owner;
  limits: Limits;
  createdBy: string;
  version: number;
  labels: string[];
}

/** @mark spot=${SPOT} */
export function schedule(job: Job) {
  return { id: job.id, at: job.priority * 1000 };
}
`;

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** Job i of the pool: every field varies (about 480 bytes of argument key). */
function makeJob(i, next) {
  const word = () => WORDS[Math.floor(next() * WORDS.length)];
  return {
    id: `job-${(i * 2654435761 >>> 0).toString(36)}`,
    title: `Nightly ${word()} export for ${word()} ${i}`,
    priority: Math.floor(next() * 10),
    enabled: next() < 0.8,
    tags: [word(), word(), word()],
    owner: { name: `${word()} ${word()}`, email: `owner${i}@example.com`, age: 20 + Math.floor(next() * 50), admin: next() < 0.1 },
    limits: { retries: Math.floor(next() * 5), timeoutMs: 1000 * Math.floor(1 + next() * 60), regions: [word(), word()], strict: next() < 0.5 },
    createdBy: `user-${i % 97}`,
    version: 1 + (i % 4),
    labels: [word(), `team-${i % 7}`],
  };
}

runChild(async ({ dir, rounds, ops }) => {
  const runtime = await loadRuntime();
  const { KeyWriter, writeDynamic, defineSpot } = runtime;
  const { KEY_FORMAT } = await internal('keys/tags.js');
  const { emitKeyCode } = await pluginModule('compiler/emit/emit-key.js');
  const { default: objectHash } = await import('object-hash');

  // The compiler's output: the transformed module (for the stored-key check) and the plan of `schedule`.
  const { out, file } = await compileModule({ dir, name: 'schedule', source: SOURCE });
  const [{ id, codeHash }] = compiledIds(out.code);
  const plan = out.plans[id];
  const emitted = emitKeyCode(plan, { ns: '__beautyspot', prefix: '__beautyspot_0_' });
  if (!out.code.includes(emitted.writer) || !out.code.includes(emitted.preamble)) {
    throw new Error('keygen: emitKeyCode does not reproduce the writer in the transformed module');
  }
  const writeArgs = new Function('__beautyspot', `${emitted.preamble}\nreturn ${emitted.writer};`)(runtime);

  // The per-function prefix the runtime writes once (format, id, version, code hash).
  const prefixWriter = new KeyWriter(64);
  prefixWriter.tag(KEY_FORMAT);
  prefixWriter.str(id);
  prefixWriter.str('');
  prefixWriter.str(codeHash);
  const prefix = Buffer.from(prefixWriter.view());

  const w = new KeyWriter();
  const generatedKey = job => {
    w.reset();
    w.raw(prefix);
    writeArgs(w, [job], undefined);
    return w.digest();
  };
  const dynamicWrite = job => {
    w.reset();
    w.raw(prefix);
    w.args(1);
    w.mark();
    writeDynamic(w, job, 'job');
  };
  const dynamicKey = job => {
    dynamicWrite(job);
    return w.digest();
  };

  const next = prng(4242);
  const jobs = Array.from({ length: POOL }, (_, i) => makeJob(i, next));

  // The generated key must be the key the compiled module stores; the dynamic encoder's is compared (informative).
  const spot = defineSpot(SPOT, { dir });
  const { schedule } = await importCompiled(file);
  schedule(jobs[7]);
  const stored = spot.parts().store.db.prepare('SELECT key FROM entries').pluck().get();
  spot.close();
  if (stored !== generatedKey(jobs[7])) throw new Error('keygen: the generated writer does not give the key the compiled module stored');
  const sameAsDynamic = stored === dynamicKey(jobs[7]);
  generatedKey(jobs[7]);
  const keyBytes = Buffer.from(w.view());
  const fields = Object.keys(jobs[0]).length;

  const loop = key => () => {
    let sink = 0;
    for (let i = 0; i < ops; i++) sink += key(jobs[i & (POOL - 1)]).length;
    return sink;
  };
  // The key bytes written, without the digest: what the generated code saves, apart from the SHA-256 both pay.
  const writeLoop = write => () => {
    let sink = 0;
    for (let i = 0; i < ops; i++) {
      write(jobs[i & (POOL - 1)]);
      sink += w.pos;
    }
    return sink;
  };
  const result = interleave({
    generated: loop(generatedKey),
    dynamic: loop(dynamicKey),
    generatedWrite: writeLoop(job => {
      w.reset();
      w.raw(prefix);
      writeArgs(w, [job], undefined);
    }),
    dynamicWrite: writeLoop(dynamicWrite),
    objectHash: loop(job => objectHash(job)),
    objectHashSha256: loop(job => objectHash(job, { algorithm: 'sha256' })),
    sha256: loop(() => hash('sha256', keyBytes, 'base64url')),
  }, { rounds, ops });
  return { ...result, keyBytes: keyBytes.length, sameAsDynamic, fields, writerLines: emitted.writer.split('\n').length };
});
