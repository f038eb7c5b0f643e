import { ARCH_INFO, resolveSyscallName, type Arch } from "../model/arch.js";
import type { DiagnosticCode } from "../model/diagnostics.js";
import type { SummaryTable } from "../model/trace.js";

type Report = (code: DiagnosticCode, line: number, col: number, message: string) => void;

interface Span {
  start: number;
  end: number; // exclusive
  name: string;
}

interface Token {
  start: number;
  end: number;
  text: string;
}

function tokens(s: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return out;
}

function isDashRow(s: string): boolean {
  return /^-{2,}( +-+)+\s*$/.test(s);
}

function isHeaderRow(s: string): boolean {
  const words = s.trim().split(/\s+/);
  return words.includes("calls") && words.includes("syscall");
}

/** The span a token belongs to: most overlap, else the nearest (values wider than their column). */
function spanOf(spans: Span[], t: Token): Span | undefined {
  let best: Span | undefined;
  let bestScore = -Infinity;
  for (const sp of spans) {
    const overlap = Math.min(sp.end, t.end) - Math.max(sp.start, t.start);
    const score = overlap > 0 ? overlap : -Math.min(Math.abs(sp.start - t.end), Math.abs(t.start - sp.end));
    if (score > bestScore) {
      bestScore = score;
      best = sp;
    }
  }
  return best;
}

/**
 * Reads the tables `strace -c`, `-cw` and `-C` print, by their header row, so columns chosen with
 * `-U` and any `-S` order work, and widths from any strace version fit. Totals are checked.
 */
export class SummaryTableReader {
  active = false;
  private state: "header" | "rows" | "total" = "header";
  private header = "";
  private headerLine = 0;
  private spans: Span[] = [];
  private rows: Record<string, { calls: number; errors: number }> = {};
  private nextArch: Arch;
  private done: SummaryTable | null = null;

  constructor(
    private readonly base: Arch,
    private readonly report: Report,
  ) {
    this.nextArch = base;
  }

  reset(): void {
    this.active = false;
    this.nextArch = this.base;
  }

  /** Whether `s` opens a table (its header row) or names the personality of the next one. */
  tryStart(s: string, lineNo: number): boolean {
    const m = /^System call usage summary for (32 bit|64 bit|x32) mode:\s*$/.exec(s);
    if (m) {
      const info = ARCH_INFO[this.base];
      this.nextArch = (m[1] === "64 bit" ? this.base : m[1] === "32 bit" ? info.compat32 : info.x32) ?? this.base;
      return true;
    }
    if (!isHeaderRow(s)) return false;
    this.active = true;
    this.state = "header";
    this.header = s;
    this.headerLine = lineNo;
    this.rows = {};
    return true;
  }

  /** Feeds a line while a table is open; returns the table once its total row was read. */
  line(s: string, lineNo: number): SummaryTable | null {
    if (s.startsWith("strace: ")) return null;
    switch (this.state) {
      case "header": {
        if (!isDashRow(s)) {
          this.active = false;
          this.report("SC_TABLE_ROW", this.headerLine, 1, `expected the dashed rule under a summary table header, found "${s.slice(0, 60)}"`);
          return null;
        }
        this.spans = [];
        const hdr = tokens(this.header);
        for (const d of tokens(s)) this.spans.push({ start: d.start, end: d.end, name: "" });
        for (const t of hdr) {
          const sp = spanOf(this.spans, t);
          if (sp) sp.name = sp.name ? `${sp.name} ${t.text}` : t.text;
        }
        this.state = "rows";
        return null;
      }
      case "rows": {
        if (isDashRow(s)) {
          this.state = "total";
          return null;
        }
        if (isHeaderRow(s)) {
          // A new table starts before this one's total row (an excerpt, or two tables glued together).
          this.report("SC_TABLE_ROW", this.headerLine, 1, "the summary table ends without its total row");
          this.done = this.close();
          this.tryStart(s, lineNo);
          return this.take();
        }
        const row = this.row(s);
        if (!row || row.name === "total") {
          this.report("SC_TABLE_ROW", lineNo, 1, `expected a summary table row (calls, errors, syscall), found "${s.slice(0, 60)}"`);
          return null;
        }
        const prev = this.rows[row.name];
        this.rows[row.name] = { calls: (prev?.calls ?? 0) + row.calls, errors: (prev?.errors ?? 0) + row.errors };
        return null;
      }
      case "total": {
        const row = this.row(s);
        if (row?.name !== "total") this.report("SC_TABLE_ROW", lineNo, 1, `expected the table's total row, found "${s.slice(0, 60)}"`);
        else {
          let calls = 0;
          let errors = 0;
          for (const r of Object.values(this.rows)) {
            calls += r.calls;
            errors += r.errors;
          }
          if (calls !== row.calls || errors !== row.errors) {
            this.report(
              "SC_TABLE_TOTAL",
              lineNo,
              1,
              `the rows add up to ${calls} calls and ${errors} errors but the total row says ${row.calls} and ${row.errors}`,
            );
          }
        }
        return this.close();
      }
    }
  }

  /** End of input: a table without its total row still counts, with a diagnostic. */
  end(): void {
    if (!this.active) return;
    if (this.state === "rows") {
      this.report("SC_TABLE_ROW", this.headerLine, 1, "the summary table ends without its total row");
      this.done = this.close();
    } else this.active = false;
  }

  take(): SummaryTable | null {
    const t = this.done;
    this.done = null;
    return t;
  }

  private close(): SummaryTable {
    this.active = false;
    const table: SummaryTable = { arch: this.nextArch, line: this.headerLine, rows: this.rows };
    this.nextArch = this.base;
    return table;
  }

  private row(s: string): { name: string; calls: number; errors: number } | null {
    let name: string | undefined;
    let calls: number | undefined;
    let errors = 0;
    for (const t of tokens(s)) {
      const sp = spanOf(this.spans, t);
      if (!sp) continue;
      if (sp.name === "syscall") name = t.text;
      else if (sp.name === "calls") calls = /^\d+$/.test(t.text) ? Number(t.text) : NaN;
      else if (sp.name === "errors") errors = /^\d+$/.test(t.text) ? Number(t.text) : NaN;
    }
    if (name === undefined || calls === undefined || !Number.isFinite(calls) || !Number.isFinite(errors)) return null;
    if (name !== "total") name = resolveSyscallName(this.nextArch, name) ?? name;
    return { name, calls, errors };
  }
}
