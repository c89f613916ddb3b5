import type { SourceFile } from 'ts-morph';
import { emitKeyCode, type EmittedKey } from './emit/emit-key.js';
import { findCachedRuns } from './find/find-cached-runs.js';
import { planFunction } from './plan/plan-function.js';
import { NS } from '../markers.js';

/** A `cachedRun` call given key code generated from its function's parameter types. */
export interface SpecialisedRun {
  /** Where the key code goes: after the call's last argument. */
  at: number;
  /** The call passes no options: the key code needs `undefined` before it. */
  bare: boolean;
  key: EmittedKey;
}

/**
 * Key code for the file's `cachedRun` calls, where fn's types say more than the dynamic encoder sees. Never an
 * error: a function whose types cannot be planned cleanly (or that keys `this`) keeps the dynamic encoder.
 * `files` collects the files the plans depend on.
 */
export function specialiseCachedRuns(file: SourceFile, files: Set<string>): SpecialisedRun[] {
  const runs: SpecialisedRun[] = [];
  for (const { call, fn } of findCachedRuns(file)) {
    let failed = false;
    const planFiles = new Set<string>();
    const plan = planFunction({ node: fn }, { report: (_path, _message, _fix, severity) => { failed ||= severity === 'error'; }, strict: false, files: planFiles });
    // All dynamic: the generated code would key as the runtime does, only slower to load.
    if (failed || plan.self || plan.params.every(p => p.plan.kind === 'dynamic')) continue;
    // fn may be declared in another file: a change to its parameter types changes the key code.
    [fn.getSourceFile().getFilePath(), ...planFiles].forEach(f => files.add(f));
    const args = call.getArguments();
    runs.push({ at: args.at(-1)!.getEnd(), bare: args.length === 1, key: emitKeyCode(plan, { ns: NS, prefix: `${NS}_run${runs.length}_` }) });
  }
  return runs;
}
