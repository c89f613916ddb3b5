// A FilePath/DirPath argument that cannot be keyed as one (a directory, a file, an unreadable path) is an
// UnkeyableValueError that names the parameter and says what to do, never a bare EISDIR or EACCES.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BeautyspotError, dirDigest, fileDigest, KeyWriter, UnkeyableValueError } from '../../runtime/index.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';
import { thrown as thrownBy } from '../helpers/thrown.js';

const runtimeUrl = pathToFileURL(resolve(import.meta.dirname, '..', '..', 'dist', 'runtime', 'index.js')).href;

function thrown(run: () => unknown): UnkeyableValueError {
  const error = thrownBy(UnkeyableValueError, run);
  expect(error).toBeInstanceOf(BeautyspotError);
  return error;
}

describe('a FilePath that is a directory', () => {
  it('names the parameter and suggests DirPath', () => {
    const dir = tempDir();
    const error = thrown(() => fileDigest(dir, 'template'));
    expect(error.path).toBe('template');
    expect(error.message).toBe(`[beautyspot] template cannot be keyed: it is a FilePath, and ${JSON.stringify(dir)} is a directory. ` +
      'Declare the parameter as DirPath to key the directory\'s tree (FilePath | DirPath for either), or pass the path of a file.');
  });

  it('through KeyWriter.file, as compiled key code calls it', () => {
    const dir = tempDir();
    expect(thrown(() => new KeyWriter().file(dir, 'opts.config')).message)
      .toContain('opts.config cannot be keyed: it is a FilePath, and');
  });

  it('called directly (in a key option), names the call and suggests dirDigest', () => {
    const dir = tempDir();
    expect(thrown(() => fileDigest(dir)).message).toBe(`[beautyspot] fileDigest(${JSON.stringify(dir)}) cannot be keyed: ` +
      `${JSON.stringify(dir)} is a directory. Use dirDigest(path) to key a directory's tree, or pass the path of a file.`);
  });

  it('from a key option of mark, reaches the caller before the body runs', () => {
    const spot = tempSpot();
    let runs = 0;
    const convert = spot.mark((path: string) => ++runs, { name: 'convert', key: path => fileDigest(path) });
    const dir = tempDir();
    expect(() => convert(dir)).toThrow(UnkeyableValueError);
    expect(() => convert(dir)).toThrow('is a directory. Use dirDigest(path)');
    expect(runs).toBe(0);
  });

  it('a FIFO is refused instead of read (which could block forever)', () => {
    const fifo = join(tempDir(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(thrown(() => fileDigest(fifo, 'input')).message).toContain('input cannot be keyed: it is a FilePath, and ' +
      `${JSON.stringify(fifo)} is not a regular file (a FIFO, socket or device). Pass the path of a regular file, or leave the parameter out`);
  });

  it('a path that is not a string names its type', () => {
    expect(thrown(() => fileDigest(42 as unknown as string, 'input')).message)
      .toContain('input cannot be keyed: it is a FilePath, and its value is a number, not a path string. Pass a path string');
  });

  it('a path through a file (ENOTDIR) keys as missing, like ENOENT', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    expect(fileDigest(join(file, 'inside'), 'input')).toBeUndefined();
    expect(dirDigest(join(file, 'inside'), 'site')).toBeUndefined();
  });
});

describe('a DirPath that is a file', () => {
  it('names the parameter and suggests FilePath', () => {
    const file = join(tempDir(), 'page.md');
    writeFileSync(file, 'x');
    const error = thrown(() => dirDigest(file, 'site'));
    expect(error.path).toBe('site');
    expect(error.message).toBe(`[beautyspot] site cannot be keyed: it is a DirPath, and ${JSON.stringify(file)} is not a directory (it is a file). ` +
      'Declare the parameter as FilePath to key the file\'s content (FilePath | DirPath for either), or pass the path of a directory.');
    expect(thrown(() => new KeyWriter().dir(file, 'site')).message).toBe(error.message);
  });

  it('called directly, names the call and suggests fileDigest', () => {
    const file = join(tempDir(), 'page.md');
    writeFileSync(file, 'x');
    expect(thrown(() => dirDigest(file)).message).toBe(`[beautyspot] dirDigest(${JSON.stringify(file)}) cannot be keyed: ` +
      `${JSON.stringify(file)} is not a directory (it is a file). Use fileDigest(path) to key a file's content, or pass the path of a directory.`);
  });
});

describe('links inside a DirPath tree', () => {
  it('a link to a directory is walked like the directory', () => {
    const base = tempDir();
    const real = join(base, 'real');
    mkdirSync(join(real, 'data'), { recursive: true });
    writeFileSync(join(real, 'data', 'a.txt'), 'A');
    const linked = join(base, 'linked');
    mkdirSync(linked);
    symlinkSync(join(real, 'data'), join(linked, 'data'));
    expect(dirDigest(linked, 'site')!.toString('hex')).toBe(dirDigest(real, 'site')!.toString('hex'));
  });

  it('a link loop is an error naming the parameter, not a stack overflow', () => {
    const root = join(tempDir(), 'loop');
    mkdirSync(root);
    symlinkSync(root, join(root, 'again'));
    expect(thrown(() => dirDigest(root, 'site')).message).toMatch(/site cannot be keyed: it is a DirPath, and ".*again.*" cannot be read \(ELOOP/);
  });
});

/**
 * Runs `fileDigest`/`dirDigest` on an unreadable path in a child process as an unprivileged user: root reads
 * through any file mode, so a chmod alone would prove nothing when the tests run as root.
 */
function unreadableCall(path: string, call: string): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const script = join(dir, 'call.mjs');
  writeFileSync(script, `import { fileDigest, dirDigest } from ${JSON.stringify(runtimeUrl)};
try { ${call}; console.log('no error'); } catch (e) { console.log(JSON.stringify([e.name, e.message, e.cause?.code])); }`);
  chmodSync(script, 0o644);
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return execFileSync(process.execPath, [script, path], { encoding: 'utf8', ...asNobody }).trim();
}

describe('an unreadable path (EACCES)', () => {
  it('a FilePath names the parameter and keeps the system error as the cause', () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const file = join(dir, 'secret.txt');
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    const [name, message, code] = JSON.parse(unreadableCall(file, 'fileDigest(process.argv[2], "config")')) as string[];
    expect({ name, code }).toEqual({ name: 'UnkeyableValueError', code: 'EACCES' });
    expect(message).toContain(`[beautyspot] config cannot be keyed: it is a FilePath, and ${JSON.stringify(file)} cannot be read (EACCES: permission denied`);
    expect(message).toContain('Make it readable by this process, or leave the parameter out of the key (Ignore<…> or key=…).');
  });

  it('a DirPath with an unreadable file or subdirectory inside names the parameter and the entry', () => {
    const site = join(tempDir(), 'site');
    mkdirSync(join(site, 'private'), { recursive: true });
    chmodSync(join(site, '..'), 0o755);
    writeFileSync(join(site, 'secret.txt'), 'x');
    chmodSync(join(site, 'secret.txt'), 0o000);
    const [, fileMessage] = JSON.parse(unreadableCall(site, 'dirDigest(process.argv[2], "site")')) as string[];
    expect(fileMessage).toContain(`site cannot be keyed: it is a DirPath, and ${JSON.stringify(join(site, 'secret.txt'))} cannot be read (EACCES`);
    chmodSync(join(site, 'secret.txt'), 0o644);
    chmodSync(join(site, 'private'), 0o000);
    const [, dirMessage] = JSON.parse(unreadableCall(site, 'dirDigest(process.argv[2])')) as string[];
    expect(dirMessage).toContain(`dirDigest(${JSON.stringify(site)}) cannot be keyed: ${JSON.stringify(join(site, 'private'))} cannot be read (EACCES`);
    expect(dirMessage).toContain('Make it readable by this process.');
  });
});
