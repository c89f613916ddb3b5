// Trial "key": the cost of computing a cache key for (string, number) arguments.
// Reference: sha256 over the msgpack encoding of the arguments (one reused Encoder). Runtime: KeyWriter + writeDynamic + digest,
// exactly as the call path writes a key (checked against a key the runtime stored).
import { hash } from 'node:crypto';
import { runChild } from '../lib/child.js';
import { FN_NAME, item, nameOf } from '../lib/fixture.js';
import { interleave } from '../lib/timing.js';
import { internal, loadRuntime } from '../lib/runtime.js';

runChild(async ({ dir, rounds, ops }) => {
  const { Spot, KeyWriter, writeDynamic } = await loadRuntime();
  const { Tag, KEY_FORMAT } = await internal('keys/tags.js');
  const { encode, Encoder } = await import('@msgpack/msgpack');

  // The per-function prefix the runtime writes once (format, id, version, code hash).
  const prefixWriter = new KeyWriter(64);
  prefixWriter.tag(KEY_FORMAT);
  prefixWriter.str(FN_NAME);
  prefixWriter.str('');
  prefixWriter.str(hash('sha256', item.toString(), 'hex').slice(0, 32));
  const prefix = Buffer.from(prefixWriter.view());

  const w = new KeyWriter();
  const dynamicKey = (s, n) => {
    w.reset();
    w.raw(prefix);
    w.tag(Tag.args);
    w.u32(2);
    w.mark();
    writeDynamic(w, s, 'argument 1');
    w.mark();
    writeDynamic(w, n, 'argument 2');
    return w.digest();
  };
  const compiledKey = (s, n) => {
    w.reset();
    w.raw(prefix);
    w.tag(Tag.args);
    w.u32(2);
    w.mark();
    w.str(s);
    w.mark();
    w.num(n);
    return w.digest();
  };

  // The replica must produce the runtime's key, or the comparison is of something else.
  const spot = new Spot('key', { dir });
  spot.mark(item, { name: FN_NAME })(nameOf(3), 3);
  const stored = spot.parts().store.db.prepare('SELECT key FROM entries').pluck().get();
  spot.close();
  const matches = stored === dynamicKey(nameOf(3), 3) && stored === compiledKey(nameOf(3), 3);
  if (!matches) throw new Error('key: the replica of the runtime key does not match the stored key');

  const names = Array.from({ length: 4096 }, (_, i) => nameOf(i));
  const encoder = new Encoder();
  const keyBytes = dynamicKey(names[0], 0) && Buffer.from(w.view());
  const loop = key => () => {
    let sink = 0;
    for (let i = 0; i < ops; i++) sink += key(names[i & 4095], i).length;
    return sink;
  };
  const result = interleave({
    'reference: sha256(msgpack Encoder.encode(args))': loop((s, n) => hash('sha256', encoder.encode([s, n]), 'buffer')),
    'sha256(msgpack.encode(args)), new Encoder per call': loop((s, n) => hash('sha256', encode([s, n]), 'buffer')),
    'runtime: KeyWriter + writeDynamic + digest': loop(dynamicKey),
    'runtime, compiled plan: w.str + w.num + digest': loop(compiledKey),
    'sha256 alone of the key bytes': loop(() => hash('sha256', keyBytes, 'buffer')),
  }, { rounds, ops });
  return { ...result, keyBytes: keyBytes.length, matches };
});
