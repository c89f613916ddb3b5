import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyWriter } from '../../runtime/keys/key-writer.js';
import { dirDigest, fileDigest } from '../../runtime/keys/paths.js';
import { tempDir } from '../helpers/temp-spot.js';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const hex = (digest: Buffer | undefined): string | undefined => digest?.toString('hex');

/** A fixed mtime (whole seconds, so it reads back exactly) a file can be reset to. */
const T0 = 1_700_000_000;

function writeTree(root: string, files: Record<string, string>): string {
  mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('fileDigest', () => {
  it('is the SHA-256 of the file bytes', () => {
    const dir = tempDir();
    let n = 0;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), bytes => {
      const file = join(dir, `f${n++}`);
      writeFileSync(file, bytes);
      const digest = fileDigest(file);
      expect(digest).toHaveLength(32);
      expect(hex(digest)).toBe(sha256(bytes));
    }), { numRuns: 100 });
  });

  it('changes when the file is rewritten with other content of another size', () => {
    const file = join(tempDir(), 'page.md');
    writeFileSync(file, 'first');
    expect(hex(fileDigest(file))).toBe(sha256('first'));
    writeFileSync(file, 'second version');
    expect(hex(fileDigest(file))).toBe(sha256('second version'));
  });

  it('changes when content of the same size is written and the mtime moves', () => {
    const file = join(tempDir(), 'page.md');
    writeFileSync(file, 'aaaa');
    utimesSync(file, T0, T0);
    expect(hex(fileDigest(file))).toBe(sha256('aaaa'));
    writeFileSync(file, 'bbbb');
    utimesSync(file, T0 + 10, T0 + 10);
    expect(hex(fileDigest(file))).toBe(sha256('bbbb'));
  });

  it('is memoised while size, mtime and inode stay the same (the file is not read again)', () => {
    const file = join(tempDir(), 'page.md');
    writeFileSync(file, 'aaaa');
    utimesSync(file, T0, T0);
    const ino = statSync(file).ino;
    const first = hex(fileDigest(file));
    expect(first).toBe(sha256('aaaa'));
    // Same size, same inode, mtime put back: indistinguishable by stat, so the memo answers.
    writeFileSync(file, 'bbbb');
    utimesSync(file, T0, T0);
    expect(statSync(file).ino).toBe(ino);
    expect(hex(fileDigest(file))).toBe(first);
  });

  it('a file replaced by another inode with the same size and mtime is read again', () => {
    const dir = tempDir();
    const file = join(dir, 'page.md');
    writeFileSync(file, 'aaaa');
    utimesSync(file, T0, T0);
    expect(hex(fileDigest(file))).toBe(sha256('aaaa'));
    const replacement = join(dir, 'page.md.tmp');
    writeFileSync(replacement, 'bbbb');
    utimesSync(replacement, T0, T0);
    renameSync(replacement, file);
    expect(hex(fileDigest(file))).toBe(sha256('bbbb'));
  });

  it('a missing file gives undefined, also after it was digested and deleted', () => {
    const dir = tempDir();
    expect(fileDigest(join(dir, 'nope.txt'))).toBeUndefined();
    const file = join(dir, 'gone.txt');
    writeFileSync(file, 'here');
    expect(fileDigest(file)).toBeDefined();
    rmSync(file);
    expect(fileDigest(file)).toBeUndefined();
  });

  it('an empty file has the digest of no bytes, distinct from a missing file', () => {
    const file = join(tempDir(), 'empty');
    writeFileSync(file, '');
    expect(hex(fileDigest(file))).toBe(sha256(''));
  });
});

describe('dirDigest', () => {
  it('changes when a file inside changes, including in a subdirectory', () => {
    const root = writeTree(join(tempDir(), 'site'), { 'a.md': 'A', 'sub/b.md': 'B' });
    const before = hex(dirDigest(root));
    writeFileSync(join(root, 'a.md'), 'A changed');
    const afterTop = hex(dirDigest(root));
    expect(afterTop).not.toBe(before);
    writeFileSync(join(root, 'sub', 'b.md'), 'B changed');
    expect(hex(dirDigest(root))).not.toBe(afterTop);
  });

  it('changes when a file is renamed, with the same content', () => {
    const root = writeTree(join(tempDir(), 'site'), { 'a.md': 'A', 'b.md': 'B' });
    const before = hex(dirDigest(root));
    renameSync(join(root, 'a.md'), join(root, 'c.md'));
    expect(hex(dirDigest(root))).not.toBe(before);
  });

  it('changes when a file or an empty directory is added', () => {
    const root = writeTree(join(tempDir(), 'site'), { 'a.md': 'A' });
    const before = hex(dirDigest(root));
    writeFileSync(join(root, 'new.md'), '');
    const withFile = hex(dirDigest(root));
    expect(withFile).not.toBe(before);
    mkdirSync(join(root, 'empty'));
    expect(hex(dirDigest(root))).not.toBe(withFile);
  });

  it('tells a file from an empty directory of the same name, and names inside subdirectories apart', () => {
    const base = tempDir();
    const file = writeTree(join(base, 'one'), { x: '' });
    const dir = join(base, 'two');
    mkdirSync(join(dir, 'x'), { recursive: true });
    expect(hex(dirDigest(file))).not.toBe(hex(dirDigest(dir)));
    const flat = writeTree(join(base, 'flat'), { 'a/b': '1' });
    const other = writeTree(join(base, 'other'), { 'a/c': '1' });
    expect(hex(dirDigest(flat))).not.toBe(hex(dirDigest(other)));
  });

  it('does not depend on the order files were created in or on where the directory is', () => {
    const base = tempDir();
    const files: Record<string, string> = { 'z.txt': 'z', 'a.txt': 'a', 'm/n.txt': 'n', 'm/a.txt': 'ma', 'B.txt': 'B' };
    const names = Object.keys(files);
    fc.assert(fc.property(fc.shuffledSubarray(names, { minLength: names.length }), (order) => {
      const root = join(base, `tree-${order.join('+').replace(/\//g, '_')}`);
      rmSync(root, { recursive: true, force: true });
      writeTree(root, Object.fromEntries(order.map(name => [name, files[name]!])));
      expect(hex(dirDigest(root))).toBe(hex(dirDigest(writeTree(join(base, 'reference'), files))));
    }), { numRuns: 20 });
  });

  it('a missing directory gives undefined; a file path throws', () => {
    const base = tempDir();
    expect(dirDigest(join(base, 'nope'))).toBeUndefined();
    writeFileSync(join(base, 'file'), 'x');
    expect(() => dirDigest(join(base, 'file'))).toThrow('is not a directory');
  });
});

describe('file and directory arguments in keys', () => {
  const keyOf = (write: (w: KeyWriter) => void): string => {
    const w = new KeyWriter();
    write(w);
    return w.digest();
  };

  it('a FilePath key changes with the content and tells a missing file from an empty one', () => {
    const file = join(tempDir(), 'in.txt');
    const missing = keyOf(w => w.file(file));
    writeFileSync(file, '');
    const empty = keyOf(w => w.file(file));
    writeFileSync(file, 'text');
    const full = keyOf(w => w.file(file));
    expect(new Set([missing, empty, full]).size).toBe(3);
    expect(keyOf(w => w.file(file))).toBe(full);
  });

  it('a DirPath key changes with the tree, and a missing path keys differently as a file and as a directory', () => {
    const root = writeTree(join(tempDir(), 'd'), { 'a.txt': 'a' });
    const before = keyOf(w => w.dir(root));
    writeFileSync(join(root, 'b.txt'), 'b');
    expect(keyOf(w => w.dir(root))).not.toBe(before);
    const nowhere = join(root, 'missing');
    expect(keyOf(w => w.file(nowhere))).not.toBe(keyOf(w => w.dir(nowhere)));
  });
});
