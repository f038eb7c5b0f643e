import type { Change, CheckReport, DiffReport } from "../model/diff.js";
import { terminalSafe } from "../model/untrusted-text.js";

/** The item without its section prefix (`x86_64 openat` under `x86_64` reads `openat`). */
function shortId(c: Change): string {
  return c.id.startsWith(`${c.group} `) ? c.id.slice(c.group.length + 1) : c.id;
}

const MARK: Record<Change["type"], string> = { added: "+", removed: "-", changed: "~" };

function summaryLine(r: DiffReport): string {
  const s = r.summary;
  if (s.added + s.removed + s.changed === 0) return "no changes";
  return `${s.added} added, ${s.removed} removed, ${s.changed} changed (${s.grants} grant(s), ${s.revokes} revoke(s)${s.risky ? `, ${s.risky} risky` : ""}${s.singleRun ? `, ${s.singleRun} seen in only 1 run` : ""})`;
}

/** `--format json`: the report as one stable object (schemaVersion 1; see model/diff.ts). */
export function emitDiffJson(r: DiffReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** `check --format json`: one shape whether stale or not (CheckReport in model/diff.ts). */
export function emitCheckJson(r: DiffReport, stale: string[]): string {
  const report: CheckReport = { ...r, stale: [...stale].sort() };
  return emitDiffJson(report);
}

/** `--format text`: one change per line, grouped by artifact and section; colour only when asked. */
export function emitDiffText(r: DiffReport, options: { color?: boolean } = {}): string {
  const c = options.color
    ? {
        green: (s: string) => `\x1b[32m${s}\x1b[0m`,
        red: (s: string) => `\x1b[31m${s}\x1b[0m`,
        yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
        bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
      }
    : { green: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, bold: (s: string) => s };
  // Items hold untrusted text (paths from traces or hand-written profiles): nothing reaches the terminal raw.
  const out = [terminalSafe(`syscage diff ${r.old} -> ${r.new}: ${summaryLine(r)}`)];
  for (const a of r.artifacts) {
    if (a.changes.length === 0 && a.status === "unchanged") continue;
    out.push("");
    out.push(c.bold(terminalSafe(`${a.path} (${a.kind}${a.status === "modified" ? "" : `, ${a.status}`})`)));
    let group = "";
    for (const ch of a.changes) {
      if (ch.group !== group) {
        group = ch.group;
        out.push(`  ${terminalSafe(group)}`);
      }
      const value = ch.type === "changed" ? `${ch.before} -> ${ch.after}` : (ch.after ?? ch.before ?? "");
      const notes = [ch.reason, ch.risk ? `RISK: ${ch.risk}` : undefined].filter(Boolean).join("; ");
      const line = terminalSafe(`    ${MARK[ch.type]} ${shortId(ch)}${value ? `  ${value}` : ""}${notes ? `  [${notes}]` : ""}`);
      out.push(ch.risk ? c.yellow(line) : ch.effect === "grant" ? c.green(line) : ch.effect === "revoke" ? c.red(line) : line);
    }
  }
  if (r.ignored) out.push("", `not compared (no syscage artifact): ${r.ignored.join(", ")}`);
  return `${out.join("\n")}\n`;
}

function html(s: string): string {
  return terminalSafe(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "&#124;").replace(/\n/g, " ");
}

const ICON: Record<Change["type"], string> = { added: "➕", removed: "➖", changed: "✏️" };

/** `--format markdown`: a pull-request comment: a summary line, a table of artifacts, collapsible details. */
export function emitDiffMarkdown(r: DiffReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`### syscage: ${summaryLine(r)}${s.risky ? ` — ⚠️ ${s.risky} risky` : ""}`);
  out.push("");
  out.push(`Comparing <code>${html(r.old)}</code> with <code>${html(r.new)}</code>.`);
  if (r.ignored) out.push("", `Not compared (no syscage artifact): ${r.ignored.map((p) => `<code>${html(p)}</code>`).join(", ")}.`);
  const changed = r.artifacts.filter((a) => a.changes.length > 0 || a.status !== "unchanged");
  if (changed.length === 0) return `${out.join("\n")}\n`;
  out.push("");
  out.push("| artifact | kind | added | removed | changed | risky |");
  out.push("|---|---|---:|---:|---:|---:|");
  for (const a of changed) {
    const n = (t: Change["type"]) => a.changes.filter((c) => c.type === t).length;
    out.push(
      `| <code>${html(a.path)}</code>${a.status === "modified" ? "" : ` (${a.status})`} | ${a.kind} | ${n("added")} | ${n("removed")} | ${n("changed")} | ${a.changes.filter((c) => c.risk).length || ""} |`,
    );
  }
  for (const a of changed) {
    out.push("");
    out.push(`<details${a.changes.some((c) => c.risk) ? " open" : ""}><summary><code>${html(a.path)}</code>: ${a.changes.length} change(s)</summary>`);
    out.push("");
    out.push("| | section | item | before | after | why |");
    out.push("|---|---|---|---|---|---|");
    for (const c of a.changes) {
      const why = [c.reason, c.risk ? `⚠️ ${c.risk}` : undefined]
        .filter(Boolean)
        .map((x) => html(x!))
        .join("; ");
      out.push(
        `| ${ICON[c.type]} | ${html(c.group)} | <code>${html(shortId(c))}</code> | ${c.before ? html(c.before) : ""} | ${c.after ? html(c.after) : ""} | ${why} |`,
      );
    }
    out.push("");
    out.push("</details>");
  }
  return `${out.join("\n")}\n`;
}

export const DIFF_FORMATS = {
  text: (r: DiffReport, color: boolean) => emitDiffText(r, { color }),
  markdown: (r: DiffReport) => emitDiffMarkdown(r),
  json: (r: DiffReport) => emitDiffJson(r),
} satisfies Record<string, (r: DiffReport, color: boolean) => string>;

export type DiffFormat = keyof typeof DIFF_FORMATS;
