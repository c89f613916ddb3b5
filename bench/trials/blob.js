// Trial "blob": a hit whose value lives in a blob file, against reading that file and decoding it, and the cost
// of the checksum every inline hit verifies.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { interleave } from '../lib/timing.js';
import { internal, loadRuntime } from '../lib/runtime.js';

const BLOB_BYTES = 200 * 1024;

const drivers = {
  async blob({ dir, rounds, ops }) {
    const { Spot } = await loadRuntime();
    mkdirSync(dir, { recursive: true });
    const spot = new Spot('blob', { dir });
    const render = spot.mark(function render(page) {
      const bytes = new Uint8Array(BLOB_BYTES);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + page) & 0xff;
      return bytes;
    }, { blob: true });
    render(1);
    const [entry] = spot.entries();
    const file = join(dir, 'blob.blobs', entry.blob.slice(0, 2), entry.blob);
    const { codec } = spot.parts();
    const viaFile = codec.decode(readFileSync(file));
    const viaSpot = render(1);
    if (viaFile.length !== BLOB_BYTES || Buffer.compare(viaFile, viaSpot) !== 0 || spot.session.hits !== 1) {
      throw new Error('blob: the floor and beautyspot do not read the same value');
    }
    const result = interleave({
      floor: () => {
        let sink = 0;
        for (let i = 0; i < ops; i++) sink += codec.decode(readFileSync(file)).length;
        return sink;
      },
      beautyspot: () => {
        let sink = 0;
        for (let i = 0; i < ops; i++) sink += render(1).length;
        return sink;
      },
    }, { rounds, ops });
    spot.close();
    return { ...result, bytes: BLOB_BYTES };
  },

  /** The checksum of a typical small inline entry, alone (what the integrity check adds to every inline hit). */
  async checksum({ rounds, ops }) {
    const { entryChecksum } = await internal('store/checksum.js');
    const { defaultCodec } = await loadRuntime();
    const value = Buffer.from(defaultCodec().encode({ id: 7, name: 'item-0007', tags: ['a', 'b', 'c'], score: 0.5, text: 'x'.repeat(80) }));
    const key = 'A'.repeat(43);
    return { ...interleave({
      checksum: () => {
        let sink = 0;
        for (let i = 0; i < ops; i++) sink += entryChecksum(key, 0, null, value);
        return sink;
      },
    }, { rounds, ops }), valueBytes: value.length };
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`blob: unknown driver ${args.driver}`);
  return driver(args);
});
