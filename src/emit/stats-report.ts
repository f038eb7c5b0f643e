import type { TraceStats } from "../aggregate/trace-stats.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import { terminalSafe } from "../model/untrusted-text.js";
import type { ProcessExit } from "../model/trace.js";

/** `syscage stats --json`: one stable object. */
export function emitStatsJson(stats: TraceStats): string {
  return `${JSON.stringify(stats, null, 2)}\n`;
}

function exitText(e: ProcessExit | undefined): string {
  if (!e) return "-";
  switch (e.kind) {
    case "exited":
      return `exit ${e.code}`;
    case "killed":
      return `${e.signal}${e.coreDumped ? " (core)" : ""}`;
    case "superseded":
      return `exec by ${e.by}`;
  }
}

function table(header: string[], untrustedRows: string[][], rightAlign: boolean[]): string {
  // Cells hold trace content (executed paths): nothing reaches the terminal raw.
  const rows = untrustedRows.map((r) => r.map(terminalSafe));
  // A loop, not Math.max(...rows): a trace of 130k processes has 130k rows, past the engine's argument limit.
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? "").length);
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)].join("\n");
}

/** The human-readable report: syscalls, runs with their processes, diagnostics. */
export function emitStatsText(stats: TraceStats): string {
  const out: string[] = [];
  const names = Object.keys(stats.syscalls);
  const rows = names
    .map((n) => {
      const c = stats.syscalls[n]!;
      const arches = Object.entries(stats.byArch)
        .filter(([, r]) => r && Object.hasOwn(r, n))
        .map(([a]) => a)
        .join(",");
      return [n, String(c.calls), c.errors ? String(c.errors) : "", c.unfinished ? String(c.unfinished) : "", arches];
    })
    .sort((a, b) => Number(b[1]) - Number(a[1]) || (a[0]! < b[0]! ? -1 : 1));
  let calls = 0;
  let errors = 0;
  let unfinished = 0;
  for (const c of Object.values(stats.syscalls)) {
    calls += c.calls;
    errors += c.errors;
    unfinished += c.unfinished;
  }
  out.push(`${names.length} syscalls, ${calls} calls (${errors} failed, ${unfinished} unfinished) in ${stats.runs.length} run(s)`);
  out.push("");
  out.push(table(["syscall", "calls", "errors", "unfinished", "arch"], rows, [false, true, true, true, false]));
  for (const r of stats.runs) {
    out.push("");
    const from = r.countedFrom === "summary-table" ? ", counts from strace's summary table" : "";
    out.push(
      `run ${terminalSafe(r.id)}: ${r.kind}${r.flags.length ? ` (strace ${r.flags.join(" ")})` : ""}, ${r.lines} lines, ${r.events} syscall events, ${r.syscalls} syscalls, arch ${r.arches.join(",") || "-"}${from}`,
    );
    if (r.files.length > 1) out.push(`  files: ${terminalSafe(r.files.join(" "))}`);
    if (r.processes.length > 0) {
      const prow = r.processes.map((p) => [
        String(p.pid),
        p.parent === undefined ? "" : String(p.parent),
        p.arches.join(","),
        exitText(p.exit),
        p.execs.join(" -> "),
      ]);
      out.push(
        table(["pid", "parent", "arch", "exit", "executed"], prow, [true, true, false, false, false])
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n"),
      );
      if (r.processCount > r.processes.length)
        out.push(`  ... and ${r.processCount - r.processes.length} more processes (${r.processCount} in all, ${r.processes.length} listed)`);
    }
  }
  out.push("");
  if (stats.diagnostics.length === 0) out.push("no diagnostics");
  else {
    out.push(`${stats.diagnostics.length} diagnostic(s):`);
    for (const d of stats.diagnostics) out.push(formatDiagnostic(d));
  }
  return `${out.join("\n")}\n`;
}
