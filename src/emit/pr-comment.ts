import type { Change, DiffReport } from "../model/diff.js";
import { emitDiffMarkdown } from "./diff-report.js";

/**
 * The hidden first line of syscage's pull-request comment: the workflow finds its own comment by
 * it (never "the last comment", which may be another bot's), and updates it in place.
 */
export const PR_COMMENT_MARKER = "<!-- syscage:pr-review -->";

/** GitHub refuses an issue or pull-request comment body over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

const encoder = new TextEncoder();
function bytes(s: string): number {
  return encoder.encode(s).length;
}

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "&#124;").replace(/\n/g, " ");
}

function riskyRow(path: string, c: Change): string {
  const item = c.id.startsWith(`${c.group} `) ? c.id.slice(c.group.length + 1) : c.id;
  return `| <code>${html(path)}</code> | ${html(c.group)} | <code>${html(item)}</code> | ${c.type} | ⚠️ ${html(c.risk ?? "")} |`;
}

export interface PrCommentOptions {
  /** The largest body in UTF-8 bytes (bytes, so a cap in characters holds too). */
  maxBytes: number;
  /** Where the reader finds the whole report when the comment is shortened. */
  fullReportAt?: string;
}

/**
 * The pull-request comment: the marker line, then the Markdown report whole when it fits in
 * `maxBytes`. When it does not, it keeps what a reviewer must see: the summary line, every risky
 * change (as many as fit, counted when not), then, when all of those fit, the per-artifact table, and
 * says how much was left out and where the full report is. The result never exceeds `maxBytes`.
 */
export function emitPrComment(r: DiffReport, options: PrCommentOptions): string {
  const full = `${PR_COMMENT_MARKER}\n${emitDiffMarkdown(r)}`;
  if (bytes(full) <= options.maxBytes) return full;

  const s = r.summary;
  const total = s.added + s.removed + s.changed;
  const where = options.fullReportAt ?? "the job summary of this workflow run";
  const head = full.split("\n").slice(0, 4).join("\n"); // marker, "### syscage: ...", blank, "Comparing ..."
  const changed = r.artifacts.filter((a) => a.changes.length > 0 || a.status !== "unchanged");
  const risky = changed.flatMap((a) => a.changes.filter((c) => c.risk).map((c) => riskyRow(a.path, c)));
  const tableRows = changed.map((a) => {
    const n = (t: Change["type"]) => a.changes.filter((c) => c.type === t).length;
    return `| <code>${html(a.path)}</code>${a.status === "modified" ? "" : ` (${a.status})`} | ${a.kind} | ${n("added")} | ${n("removed")} | ${n("changed")} | ${a.changes.filter((c) => c.risk).length || ""} |`;
  });

  // Fixed parts first, then fill: risky lines before the artifact table.
  const note = (riskyShown: number, rowsShown: number) =>
    `\n\n> **Shortened to fit a comment**: ${total} change(s) in ${changed.length} artifact(s); ` +
    `${riskyShown} of ${risky.length} risky line(s) and ${rowsShown} of ${tableRows.length} artifact row(s) shown. ` +
    `The full report is in ${html(where)}.\n`;
  const riskyHead = "\n\n#### Risky changes\n\n| artifact | section | item | change | risk |\n|---|---|---|---|---|";
  const tableHead = "\n\n#### Artifacts\n\n| artifact | kind | added | removed | changed | risky |\n|---|---|---:|---:|---:|---:|";
  const budget = options.maxBytes - bytes(head) - bytes(note(risky.length, tableRows.length)) - 40;
  let used = 0;
  const take = (rows: string[], heading: string): string[] => {
    const out: string[] = [];
    if (rows.length === 0 || used + bytes(heading) >= budget) return out;
    used += bytes(heading);
    for (const row of rows) {
      const cost = bytes(row) + 1;
      if (used + cost > budget) break;
      out.push(row);
      used += cost;
    }
    return out;
  };
  const riskyShown = take(risky, riskyHead);
  // The artifact table only when every risky line made it: a cut list of risks must be the last thing shown.
  const rowsShown = riskyShown.length === risky.length ? take(tableRows, tableHead) : [];
  let body = head;
  if (riskyShown.length > 0) body += `${riskyHead}\n${riskyShown.join("\n")}`;
  if (rowsShown.length > 0) body += `${tableHead}\n${rowsShown.join("\n")}`;
  body += note(riskyShown.length, rowsShown.length);
  if (bytes(body) <= options.maxBytes) return body;
  // Only when maxBytes is too small for even the summary: cut at a character boundary.
  let cut = body;
  while (bytes(cut) > options.maxBytes) cut = cut.slice(0, Math.max(0, cut.length - Math.max(1, bytes(cut) - options.maxBytes)));
  return cut;
}
