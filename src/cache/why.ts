import type { EntryInfo } from '../../runtime/store/store.js';
import type { CacheView } from './cache-view.js';

/** One reason an entry's key differs from an earlier entry's of the same function. */
export type Cause =
  /** `change`: for FilePath/DirPath arguments, which of their path and content differ. */
  | { kind: 'argument'; name: string; change: 'value' | 'content' | 'path' | 'path and content' | 'added' | 'removed' }
  | { kind: 'body' }
  | { kind: 'callees'; changed: string[]; added: string[]; removed: string[] }
  /** The code hash differs, and the parts it covered were not recorded (a runtime mark, or entries from before). */
  | { kind: 'code' }
  | { kind: 'version'; from: string; to: string }
  /** One of the entries was written before code hashes and versions were recorded (schema v4). */
  | { kind: 'unrecorded' };

type ArgumentChange = Extract<Cause, { kind: 'argument' }>['change'];

export interface Explanation {
  fn: string;
  entry: EntryInfo;
  /** The earlier entry of the function that differs least; undefined when there is none. */
  closest: EntryInfo | undefined;
  /** Empty with a closest entry: nothing recorded differs (a refresh, an expired or cleared entry). */
  causes: Cause[];
}

/** How many earlier entries of the function are compared (the newest ones). */
const COMPARED = 1000;

/** Why the latest miss of `fn` ran: its newest entry compared with the closest earlier entry. */
export function whyMiss(view: CacheView, fn: string): Explanation | undefined {
  const [latest] = view.query({ fn, sort: 'created', limit: 1 }).rows;
  return latest && explainEntry(view, latest);
}

/** Why `entry` was computed: compared with the earlier entries of its function (newest first), the one that differs least. */
export function explainEntry(view: CacheView, entry: EntryInfo): Explanation {
  const earlier = view.query({ fn: entry.fn, before: entry.createdAt + 1, sort: 'created', limit: COMPARED + 1 }).rows.filter(e => e.key !== entry.key);
  let best: { entry: EntryInfo; causes: Cause[]; score: number } | undefined;
  for (const candidate of earlier) {
    const causes = differences(view, candidate, entry);
    const score = distance(causes);
    if (!best || score < best.score) best = { entry: candidate, causes, score };
  }
  return { fn: entry.fn, entry, closest: best?.entry, causes: best?.causes ?? [] };
}

/**
 * How far an earlier entry is from explaining a miss: arguments first. The entry with the same arguments and other
 * code is the one that would have been a hit — the reason the call ran — while one for other arguments never could.
 */
function distance(causes: Cause[]): number {
  const args = causes.filter(c => c.kind === 'argument').length;
  return args * 1000 + (causes.length - args);
}

/** What differs between an earlier entry and a later one of the same function. */
export function differences(view: CacheView, before: EntryInfo, after: EntryInfo): Cause[] {
  const causes: Cause[] = [];
  if (before.codeHash === null || after.codeHash === null) causes.push({ kind: 'unrecorded' });
  else {
    if (before.version !== after.version) causes.push({ kind: 'version', from: before.version ?? '', to: after.version ?? '' });
    if (before.codeHash !== after.codeHash) causes.push(...codeCauses(view, after.fn, before.codeHash, after.codeHash));
  }
  const old = new Map(before.args);
  const now = new Map(after.args);
  for (const [name, digest] of after.args) {
    const was = old.get(name);
    if (was === undefined) causes.push({ kind: 'argument', name, change: 'added' });
    else if (was !== digest) causes.push({ kind: 'argument', name, change: argumentChange(was, digest) });
  }
  for (const [name] of before.args) if (!now.has(name)) causes.push({ kind: 'argument', name, change: 'removed' });
  return causes;
}

function codeCauses(view: CacheView, fn: string, before: string, after: string): Cause[] {
  const old = view.code(fn, before);
  const now = view.code(fn, after);
  if (!old || !now) return [{ kind: 'code' }];
  const causes: Cause[] = [];
  if (old.body !== now.body) causes.push({ kind: 'body' });
  const oldDeps = new Map(old.deps);
  const newDeps = new Map(now.deps);
  const changed = now.deps.filter(([name, hash]) => oldDeps.has(name) && oldDeps.get(name) !== hash).map(([name]) => name);
  const added = now.deps.filter(([name]) => !oldDeps.has(name)).map(([name]) => name);
  const removed = old.deps.filter(([name]) => !newDeps.has(name)).map(([name]) => name);
  if (changed.length + added.length + removed.length > 0) causes.push({ kind: 'callees', changed, added, removed });
  // The hashes differ, so something did; parts recorded by different compilers may not show it.
  return causes.length > 0 ? causes : [{ kind: 'code' }];
}

/** A FilePath/DirPath digest is `<path>/<content>`: say which of the two differs. */
function argumentChange(before: string, after: string): ArgumentChange {
  const [oldPath, oldContent] = before.split('/');
  const [newPath, newContent] = after.split('/');
  if (oldContent === undefined || newContent === undefined) return 'value';
  if (oldPath === newPath) return 'content';
  return oldContent === newContent ? 'path' : 'path and content';
}

/** The explanation as sentences, one per cause. */
export function describeCause(cause: Cause): string {
  switch (cause.kind) {
    case 'argument':
      switch (cause.change) {
        case 'value': return `argument "${cause.name}" changed`;
        case 'content': return `argument "${cause.name}": the file's content differs (same path)`;
        case 'path': return `argument "${cause.name}": another path (same content)`;
        case 'path and content': return `argument "${cause.name}": another path, with other content`;
        case 'added': return `argument "${cause.name}" was not passed before`;
        case 'removed': return `argument "${cause.name}" is no longer passed`;
      }
      break;
    case 'body': return 'its code changed: the function\'s own body';
    case 'callees': return `its code changed: ${[
      ...cause.changed.map(n => `${n} changed`), ...cause.added.map(n => `${n} is now called`), ...cause.removed.map(n => `${n} is no longer called`),
    ].join(', ')}`;
    case 'code': return 'its code changed (the body or a function it calls; the parts were not recorded)';
    case 'version': return `its version changed: ${JSON.stringify(cause.from)} → ${JSON.stringify(cause.to)}`;
    case 'unrecorded': return 'code and version were not recorded for one of the entries (written by an older beautyspot)';
  }
}
