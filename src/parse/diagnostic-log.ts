import { diagnostic, type Diagnostic, type DiagnosticCode } from "../model/diagnostics.js";

/**
 * Collects diagnostics with a cap per code and file, so a chatty input (a tracee that prints a
 * million lines into a stderr-mode trace) cannot exhaust memory. What the cap drops is counted and
 * reported as one closing line per code.
 */
export class DiagnosticLog {
  readonly items: Diagnostic[] = [];
  private readonly perKey = new Map<string, number>();

  constructor(private readonly capPerCode = 25) {}

  add(code: DiagnosticCode, file: string, line: number, col: number, message: string): void {
    const key = `${code}\0${file}`;
    const seen = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, seen);
    if (seen <= this.capPerCode) this.items.push(diagnostic(code, file, line, col, message));
  }

  /** How many diagnostics were added per code and file (kept or not), for merging one log into another. */
  counts(): [string, number][] {
    return [...this.perKey];
  }

  /** Counts `n` diagnostics that another log added past its cap (`key` from `counts()`). */
  addUncounted(key: string, n: number): void {
    if (n > 0) this.perKey.set(key, (this.perKey.get(key) ?? 0) + n);
  }

  /** The collected diagnostics, with one summary per code and file whose cap was reached. */
  finish(): Diagnostic[] {
    const out = [...this.items];
    for (const [key, seen] of this.perKey) {
      if (seen <= this.capPerCode) continue;
      const [code, file] = key.split("\0") as [DiagnosticCode, string];
      out.push(diagnostic(code, file, 0, 0, `${seen - this.capPerCode} more ${code} diagnostics in this file not shown`));
    }
    return out;
  }
}
