import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SpotErrorEvent } from '../../runtime/index.js';
import { tempSpot } from '../helpers/temp-spot.js';

// BEAUTYSPOT_STORE / BEAUTYSPOT_BLOBS that cannot be used are reported, and the spot keeps caching in its cache
// directory: a typo in a deployment's environment never stops the pipeline. (Working values are exercised against
// real servers in test/remote/scale-out.test.ts.)

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function observedSpot(name: string): { spot: ReturnType<typeof tempSpot>; events: SpotErrorEvent[]; warnings: string[] } {
  const events: SpotErrorEvent[] = [];
  const warnings: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation(line => void warnings.push(String(line)));
  return { spot: tempSpot({ onError: event => events.push(event) }, name), events, warnings };
}

describe('unusable backend variables', () => {
  const cases = [
    { variable: 'BEAUTYSPOT_STORE', value: 'memcached://127.0.0.1:11211', says: /BEAUTYSPOT_STORE must be a Redis URL .*got one starting "memcached:"/ },
    { variable: 'BEAUTYSPOT_STORE', value: 'redis://a:1,b:2', says: /names several hosts/ },
    { variable: 'BEAUTYSPOT_BLOBS', value: 'gs://bucket/prefix', says: /BEAUTYSPOT_BLOBS must be an S3 URL .*got one starting "gs:"/ },
  ];
  for (const { variable, value, says } of cases) {
    it(`${variable}=${value}: one warning, and entries and blobs stay in the cache directory`, () => {
      vi.stubEnv(variable, value);
      const { spot, events, warnings } = observedSpot('envtypo');
      let runs = 0;
      const render = spot.mark((page: number) => {
        runs++;
        return new Uint8Array(100_000).fill(page); // a blob
      }, { name: 'render' });
      expect(render(3)).toEqual(new Uint8Array(100_000).fill(3));
      expect(render(3)).toEqual(new Uint8Array(100_000).fill(3));
      expect(runs).toBe(1);
      expect(events.map(e => e.kind)).toEqual(['open']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(says);
      expect(warnings[0]).toMatch(new RegExp(`^\\[beautyspot\\] spot "envtypo": .*Until ${variable} is fixed, the cache directory is used instead\\.$`));
      expect(existsSync(join(spot.dir, 'envtypo.sqlite'))).toBe(true);
      expect(existsSync(join(spot.dir, 'envtypo.blobs'))).toBe(true);
    });
  }

  it('a password in an unusable Redis URL is never printed', () => {
    vi.stubEnv('BEAUTYSPOT_STORE', 'redis://user:s3cret-pw@a:1,b:2/0');
    const { spot, warnings } = observedSpot('envsecret');
    expect(spot.mark((x: number) => x + 1, { name: 'inc' })(1)).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('s3cret-pw');
    expect(warnings[0]).toContain('***@');
  });
});
