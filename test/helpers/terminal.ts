import { spawnSync } from 'node:child_process';

/**
 * Runs `argv` in a real pseudo-terminal (python3's pty module), its size set in the child before exec, and gives
 * back its exit code and every byte it wrote to the terminal (stdout and stderr together, newlines as \r\n).
 */
const PTY_RUN = `
import fcntl, os, pty, struct, sys, termios
columns, argv = int(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, columns, 0, 0))
    os.execvp(argv[0], argv)
chunks = []
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(b''.join(chunks))
sys.exit(os.waitstatus_to_exitcode(status))
`;

export interface TerminalRun {
  status: number | null;
  /** What the program wrote, escape sequences included. */
  raw: string;
}

export function runInTerminal(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; columns?: number }): TerminalRun {
  const result = spawnSync('python3', ['-c', PTY_RUN, String(options.columns ?? 200), ...argv], {
    cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: 120_000,
  });
  if (result.error) throw new Error(`python3 could not run (${result.error.message}); this test needs python3 on PATH`);
  return { status: result.status, raw: result.stdout };
}

/**
 * The lines a terminal shows after `raw` is written to it, without colours: \r goes back to the start of the line,
 * ESC[2K erases the line, \n moves to the next one. Any other escape sequence fails, so a test sees every kind written.
 */
export function screenOf(raw: string): string[] {
  const lines: string[] = [''];
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\r') {
      col = 0;
    } else if (c === '\n') {
      lines.push('');
      col = 0;
    } else if (c === '\x1b') {
      const colour = /^\x1b\[[0-9;]*m/.exec(raw.slice(i, i + 16))?.[0];
      if (colour) {
        i += colour.length - 1;
        continue;
      }
      if (!raw.startsWith('\x1b[2K', i)) throw new Error(`an escape sequence other than ESC[2K or a colour at ${i}: ${JSON.stringify(raw.slice(i, i + 8))}`);
      lines[lines.length - 1] = '';
      i += 3;
    } else {
      const line = lines[lines.length - 1]!;
      lines[lines.length - 1] = line.slice(0, col).padEnd(col) + c + line.slice(col + 1);
      col++;
    }
  }
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
