/** Redraws at most this often (a sync body blocks the timer, so events draw too, no more often than this). */
export const INTERVAL_MS = 100;
const CLEAR = '\r\x1b[2K';

type Write = NodeJS.WriteStream['write'];

/**
 * One status line kept at the bottom of a terminal: redrawn in place at most every 100 ms, never wider than the
 * terminal, and cleared before anything else is written to that terminal (through process.stdout / stderr), then
 * drawn again on the next tick. It is not drawn while the script's last write left a line unfinished.
 */
export class LiveLine {
  private shown: string | undefined;
  private lastDraw = -Infinity;
  private atLineStart = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly restore: (() => void)[] = [];
  private readonly write: (text: string) => void;

  /** `render` gives the line to show, or undefined for none yet. */
  constructor(private readonly out: NodeJS.WriteStream, private readonly render: (now: number) => string | undefined,
    others: NodeJS.WriteStream[] = []) {
    const write = out.write;
    this.write = text => {
      write.call(out, text);
    };
    for (const stream of [out, ...others.filter(s => s.isTTY)]) this.watch(stream);
    this.timer = setInterval(() => this.draw(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Draws now unless the last draw was under 100 ms ago (the timer will), or `now` says so anyway. */
  update(now = false): void {
    if (now || performance.now() - this.lastDraw >= INTERVAL_MS) this.draw();
  }

  /** Removes the line (it is drawn again on the next tick). */
  clear(): void {
    if (this.shown === undefined) return;
    this.write(CLEAR);
    this.shown = undefined;
  }

  /** Removes the line for good and gives the streams their own write back. */
  stop(): void {
    clearInterval(this.timer);
    this.clear();
    for (const undo of this.restore) undo();
  }

  private draw(): void {
    if (!this.atLineStart) return;
    const now = performance.now();
    const width = (this.out.columns || 80) - 1;
    const line = this.render(now);
    if (line === undefined) return;
    const text = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.lastDraw = now;
    if (text === this.shown) return;
    this.write(`${CLEAR}${text}`);
    this.shown = text;
  }

  /** Clears the line before each write to a stream that shows on the terminal, and notes whether it ended a line. */
  private watch(stream: NodeJS.WriteStream): void {
    const own = Object.hasOwn(stream, 'write');
    const original = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      this.clear();
      const last = typeof chunk === 'string' ? chunk.at(-1) : chunk instanceof Uint8Array && chunk.length > 0 ? chunk[chunk.length - 1] : undefined;
      if (last !== undefined) this.atLineStart = last === '\n' || last === 0x0a;
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as Write;
    this.restore.push(() => {
      if (own) stream.write = original;
      else delete (stream as Partial<NodeJS.WriteStream>).write;
    });
  }
}
