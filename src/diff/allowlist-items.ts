import type { Allowlist } from "../model/allowlist.js";
import type { Item } from "../model/diff.js";
import { EQUIVALENT_GROUPS } from "../model/equivalent-syscalls.js";
import { IMPLIED_RULES } from "../model/implied-syscalls.js";

/**
 * What an allowlist records: one item per syscall (value: how often it was seen, where it came
 * from), one per run. Coverage (`seen in k of N runs`) is part of the value, so a syscall seen in
 * fewer runs than before shows as a change.
 */
export function allowlistItems(a: Allowlist): Item[] {
  const n = a.runs.length;
  const items: Item[] = [];
  for (const [name, e] of Object.entries(a.syscalls)) {
    const origin = e.from.map((f) => (originWhy(f) ? `${f} (${originWhy(f)})` : f)).join(", ");
    items.push({
      id: name,
      value: `seen in ${e.runs} of ${n} runs; ${e.calls} calls, ${e.errors} failed; ${e.arches.join(",")}; ${origin}`,
      kind: "permission",
      group: "syscalls",
    });
  }
  for (const r of a.runs)
    items.push({ id: r.id, value: `${r.kind} ${r.sha256.slice(0, 12)} (${r.flags.join(" ") || "no flags"})`, kind: "fact", group: "runs" });
  items.push({ id: "baselines", value: a.baselines.join(", ") || "none", kind: "fact", group: "options" });
  return items;
}

/** `seen in 3 of 4 runs (observed)` / `baseline runc` for a syscall, from the allowlist beside a profile. */
export function syscallReason(a: Allowlist, name: string): string | undefined {
  const e = a.syscalls[name];
  if (!e) return undefined;
  const parts: string[] = [];
  if (e.from.includes("observed")) parts.push(`seen in ${e.runs} of ${a.runs.length} runs`);
  const baselines = e.from.filter((f) => f.startsWith("baseline:")).map((f) => f.slice(9));
  if (baselines.length) parts.push(`baseline ${baselines.join(", ")}`);
  for (const f of e.from) {
    const why = originReason(f);
    if (why) parts.push(why);
  }
  return parts.join("; ");
}

/** The table's reason behind an `equivalent:NAME` or `implied:NAME` origin (undefined for others). */
function originWhy(from: string): string | undefined {
  const [kind, by] = from.split(":") as [string, string | undefined];
  if (kind === "equivalent" && by)
    return `same operation: ${EQUIVALENT_GROUPS.find((x) => x.same.includes(by) || x.grantedBy?.includes(by))?.why ?? "see README"}`;
  if (kind === "implied" && by) return IMPLIED_RULES.find((x) => x.when.includes(by))?.why ?? "see README";
  return undefined;
}

/** Why an `equivalent:NAME` or `implied:NAME` origin grants a call, in words (undefined for others). */
export function originReason(from: string): string | undefined {
  const why = originWhy(from);
  if (why === undefined) return undefined;
  const [kind, by] = from.split(":") as [string, string];
  return kind === "equivalent" ? `equivalent of ${by}, which was seen (${why})` : `implied by ${by}, which was seen (${why})`;
}
