import type { ArtifactDiff, ArtifactKind, Change, DiffReport, Effect, FailOn, Item } from "../model/diff.js";

/** How a change moves privilege, given the item's kind. */
function effectOf(kind: Item["kind"], type: Change["type"], before?: string, after?: string): Effect {
  if (kind === "fact" || kind === "detection") {
    // A detection (Falco) rule or list item that disappears means less is watched: a grant.
    if (kind === "detection") return type === "removed" ? "grant" : type === "added" ? "revoke" : "info";
    return "info";
  }
  if (type === "changed") {
    const allow = (v?: string) => v === "SCMP_ACT_ALLOW" || v === "SCMP_ACT_LOG";
    if (allow(after) && !allow(before)) return "grant";
    if (allow(before) && !allow(after)) return "revoke";
    if (before !== undefined && after !== undefined && kind === "permission" && /^[a-z]+( -> .*)?$/.test(before) && /^[a-z]+( -> .*)?$/.test(after)) {
      // AppArmor permission letters: wider is a grant.
      const b = new Set(before.split(" ")[0]);
      const a = new Set(after.split(" ")[0]);
      const widened = [...a].some((x) => !b.has(x));
      const narrowed = [...b].some((x) => !a.has(x));
      if (widened && !narrowed) return "grant";
      if (narrowed && !widened) return "revoke";
    }
    return "info";
  }
  const grantsOnAdd = kind === "permission";
  if (type === "added") return grantsOnAdd ? "grant" : "revoke";
  return grantsOnAdd ? "revoke" : "grant";
}

/** Compares two item sets of one artifact; `annotate` adds reasons and risks to each change. */
export function compareItems(
  path: string,
  kind: ArtifactKind,
  before: Item[] | undefined,
  after: Item[] | undefined,
  annotate?: (c: Change) => Change,
): ArtifactDiff {
  let b = new Map((before ?? []).map((i) => [i.id, i]));
  let a = new Map((after ?? []).map((i) => [i.id, i]));
  const changes: Change[] = [];
  if (kind === "seccomp" && before && after) {
    // A whole architecture added or dropped is one change, not one per syscall.
    const groupsOf = (m: Map<string, Item>) => new Set([...m.values()].filter((i) => i.group !== "default").map((i) => i.group));
    const gb = groupsOf(b);
    const ga = groupsOf(a);
    for (const [g, side, type] of [
      ...[...gb].filter((g) => !ga.has(g)).map((g) => [g, b, "removed"] as const),
      ...[...ga].filter((g) => !gb.has(g)).map((g) => [g, a, "added"] as const),
    ]) {
      const n = [...side.values()].filter((i) => i.group === g).length;
      const value = `${n} rule item(s)`;
      changes.push({
        type,
        effect: type === "added" ? "grant" : "revoke",
        group: "architectures",
        id: g,
        ...(type === "added" ? { after: value } : { before: value }),
      });
    }
    const keep = (m: Map<string, Item>) => new Map([...m].filter(([, i]) => i.group === "default" || (gb.has(i.group) && ga.has(i.group))));
    b = keep(b);
    a = keep(a);
  }
  for (const [id, item] of a) {
    const old = b.get(id);
    if (!old) changes.push({ type: "added", effect: effectOf(item.kind, "added"), group: item.group, id, after: item.value });
    else if (old.value !== item.value)
      changes.push({
        type: "changed",
        effect: effectOf(item.kind, "changed", old.value, item.value),
        group: item.group,
        id,
        before: old.value,
        after: item.value,
      });
  }
  for (const [id, item] of b)
    if (!a.has(id)) changes.push({ type: "removed", effect: effectOf(item.kind, "removed"), group: item.group, id, before: item.value });
  changes.sort((x, y) => (x.group < y.group ? -1 : x.group > y.group ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const status = before === undefined ? "added" : after === undefined ? "removed" : changes.length ? "modified" : "unchanged";
  return { path, kind, status, changes: annotate ? changes.map(annotate) : changes };
}

export function summarize(old: string, neu: string, artifacts: ArtifactDiff[], ignored: string[] = []): DiffReport {
  const all = artifacts.flatMap((a) => a.changes);
  // One permission shows in the seccomp profile and the allowlist: count it once (by its name).
  const singleRun = new Set(
    all
      .filter((c) => c.type !== "removed" && /\bseen in (?:only )?1 of ([2-9]|\d{2,}) runs\b/.test(`${c.after ?? ""} ${c.reason ?? ""}`))
      .map((c) => c.id.split(" ").pop()),
  ).size;
  return {
    schemaVersion: 1,
    old,
    new: neu,
    artifacts: [...artifacts].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)),
    ...(ignored.length > 0 ? { ignored: [...ignored].sort() } : {}),
    summary: {
      added: all.filter((c) => c.type === "added").length,
      removed: all.filter((c) => c.type === "removed").length,
      changed: all.filter((c) => c.type === "changed").length,
      grants: all.filter((c) => c.effect === "grant").length,
      revokes: all.filter((c) => c.effect === "revoke").length,
      risky: all.filter((c) => c.risk !== undefined).length,
      ...(singleRun > 0 ? { singleRun } : {}),
    },
  };
}

/** Whether the report holds the kind of change `--fail-on` names. */
export function shouldFail(r: DiffReport, on: FailOn): boolean {
  const all = r.artifacts.flatMap((a) => a.changes);
  switch (on) {
    case "added":
      return all.some((c) => c.effect === "grant");
    case "risky":
      return all.some((c) => c.risk !== undefined);
    case "removed":
      return all.some((c) => c.effect === "revoke");
    case "any":
      return all.length > 0;
  }
}
