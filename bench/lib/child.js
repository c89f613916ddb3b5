// The protocol between the orchestrator and a trial process: arguments as one JSON argv item,
// the result as one JSON line on stdout prefixed with RESULT_MARK. Progress notes go to stderr.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RESULT_MARK = '@@bench-result ';

/** The trial's arguments (inside the child). */
export function childArgs() {
  return JSON.parse(process.argv[2] ?? '{}');
}

/** Prints the result and ends the process (inside the child). */
export function reply(result) {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** Runs `main(args)` as the body of a trial process, replying with its result or failing loudly. */
export function runChild(main) {
  Promise.resolve()
    .then(() => main(childArgs()))
    .then(reply, error => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    });
}

/** A progress note on stderr (the orchestrator passes stderr through). */
export function note(message) {
  process.stderr.write(`    · ${message}\n`);
}

/** Runs one trial file in a fresh `node` process and resolves to its JSON result. */
export function runTrial(file, args, { timeoutMs = 240_000, nodeArgs = [] } = {}) {
  const path = fileURLToPath(new URL(`../trials/${file}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', chunk => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find(l => l.startsWith(RESULT_MARK));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(RESULT_MARK.length)));
      reject(new Error(`${file} ${args.driver ?? ''} failed (${signal ? `killed by ${signal}` : `exit ${code}`})` +
        (out.trim() ? `; stdout: ${out.trim().slice(-500)}` : '')));
    });
  });
}
