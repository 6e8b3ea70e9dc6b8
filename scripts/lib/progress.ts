/**
 * A progress indicator on stderr: a redrawn bar with rate and ETA on a terminal, a line every few
 * seconds otherwise (CI logs). Silent when `quiet`.
 */
export class Progress {
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    if (this.quiet) return;
    const now = Date.now();
    const finished = done >= this.total;
    if (!this.stream.isTTY && !finished && now - this.lastLine < 2000) return;
    this.lastLine = now;
    const elapsed = (now - this.started) / 1000;
    const rate = done / Math.max(elapsed, 1e-3);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const width = 30;
    const bar = "#".repeat(Math.round(fraction * width)).padEnd(width, ".");
    const text = `${this.label} [${bar}] ${done}/${this.total} ${(fraction * 100).toFixed(0)}% ${rate.toFixed(0)}/s ETA ${formatSeconds(eta)}`;
    if (this.stream.isTTY) this.stream.write(`\r${text}${finished ? "\n" : ""}`);
    else this.stream.write(`${text}\n`);
  }

  /** Seconds since the indicator was created. */
  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--";
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)
    .toString()
    .padStart(2, "0")}s`;
}
