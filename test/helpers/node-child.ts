import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by its timeout rather than by the test. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface NodeChild {
  process: ChildProcess;
  /** Settles when the child has exited and its output is read to the end. */
  result: Promise<ChildResult>;
}

export interface NodeChildOptions {
  args?: string[];
  env?: Record<string, string>;
  /** SIGKILL after this long; the result says `timedOut`. */
  timeoutMs: number;
  /** Called with each complete stdout line as it arrives (a line cut off by a kill is never passed). */
  onLine?: (line: string) => void;
}

const live = new Set<ChildProcess>();

/** The test's environment without the variables that would change how a child's cache behaves. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('BEAUTYSPOT_') || name === 'DEBUG') delete env[name];
  return { ...env, ...extra };
}

/** Runs `node <script> …args` with a timeout; `killLeftovers()` in afterAll ends whatever is still running. */
export function startNode(script: string, options: NodeChildOptions): NodeChild {
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], { env: cleanEnv(options.env ?? {}), stdio: 'pipe' });
  live.add(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!options.onLine) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) options.onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', error => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
  return { process: child, result };
}

/** The non-empty lines of a child's output. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

/** Kills the children of this test file that are still running (for afterAll). */
export function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
