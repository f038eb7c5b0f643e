import type { Item } from "../model/diff.js";
import { ArtifactInputError, isArtifactInputError } from "./artifact-input-error.js";

// What a systemd drop-in (or a unit's [Service] section) permits, evaluated the way systemd v252
// evaluates its assignments (src/core/load-fragment.c): an empty assignment resets; the first
// SystemCallFilter= line decides between allow list and deny list; in an allow list a later
// `~name` removes the name and `~name:ERRNO` answers it with that errno; CapabilityBoundingSet=
// lines OR together and `~` lines remove; RestrictAddressFamilies= follows SystemCallFilter='s
// first-line rule. A directive that is absent permits everything (`*`).

const SECTION = "Service";

/** `Key=Value` assignments of the [Service] section, in order, with continuation lines joined. */
function assignments(text: string): { key: string; value: string; line: number }[] {
  const out: { key: string; value: string; line: number }[] = [];
  let section = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.replace(/\r$/, "");
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.replace(/\r$/, "")}`;
    const t = line.trim();
    if (t === "" || t.startsWith("#") || t.startsWith(";")) continue;
    const sec = /^\[([^\]]+)\]$/.exec(t);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const eq = t.indexOf("=");
    if (eq <= 0) throw new ArtifactInputError(`line ${start + 1}: expected Key=Value, got ${JSON.stringify(t.slice(0, 60))}`);
    if (section === SECTION) out.push({ key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim(), line: start + 1 });
  }
  return out;
}

interface ListState {
  set: boolean;
  allow: boolean;
  /** name -> errno text (undefined: the mode's plain action). */
  names: Map<string, string | undefined>;
}

/** Applies one assignment of a SystemCallFilter=-like list (first line decides the mode). */
function applyList(s: ListState, value: string, withErrno: boolean): void {
  if (value === "") {
    s.set = false;
    s.allow = false;
    s.names.clear();
    return;
  }
  if (value === "none" && !withErrno) {
    // RestrictAddressFamilies=none: an allow list with nothing in it, whatever came before.
    s.set = true;
    s.allow = true;
    s.names.clear();
    return;
  }
  const invert = value.startsWith("~");
  const words = (invert ? value.slice(1) : value).split(/\s+/).filter(Boolean);
  if (!s.set) {
    s.set = true;
    s.allow = !invert;
  }
  for (const w of words) {
    const colon = withErrno ? w.indexOf(":") : -1;
    const name = colon > 0 ? w.slice(0, colon) : w;
    const errno = colon > 0 ? w.slice(colon + 1) : undefined;
    if (!invert && errno !== undefined) continue; // systemd ignores an errno on an allowed call
    if (invert === !s.allow) s.names.set(name, errno);
    else if (invert && s.allow && errno !== undefined) s.names.set(name, errno);
    else s.names.delete(name);
  }
}

/**
 * One item per syscall the filter names (value `allow`, or `errno ENOSYS` for a per-call errno),
 * the default action, one per architecture, address family and capability in the bounding set.
 */
export function systemdItems(text: string, path: string): Item[] {
  let list;
  try {
    list = assignments(text);
  } catch (e) {
    if (!isArtifactInputError(e)) throw e;
    throw new ArtifactInputError(`${path}: not a systemd unit file: ${(e as Error).message}`, { cause: e });
  }
  const filter: ListState = { set: false, allow: false, names: new Map() };
  const families: ListState = { set: false, allow: false, names: new Map() };
  let errno = "";
  let arches: Set<string> | undefined;
  // The bounding set: everything but `names` when `all`, else exactly `names`; undefined when never set.
  let caps: { all: boolean; names: Set<string> } | undefined;
  for (const { key, value } of list) {
    if (key === "SystemCallFilter") applyList(filter, value, true);
    else if (key === "RestrictAddressFamilies") applyList(families, value, false);
    else if (key === "SystemCallErrorNumber") errno = value;
    else if (key === "SystemCallArchitectures") {
      if (value === "") arches = undefined;
      else for (const a of value.split(/\s+/)) (arches ??= new Set()).add(a);
    } else if (key === "CapabilityBoundingSet") {
      const invert = value.startsWith("~");
      const words = (invert ? value.slice(1) : value).split(/\s+/).filter(Boolean);
      if (value === "" || (invert && words.length === 0)) caps = { all: invert, names: new Set() };
      else {
        caps ??= { all: invert, names: new Set() };
        // `all` keeps the excluded names; otherwise the included ones.
        for (const c of words)
          if (invert === caps.all) caps.names.add(c);
          else caps.names.delete(c);
      }
    }
  }
  const items: Item[] = [];
  const denied = errno === "" || errno === "kill" ? "kill" : `errno ${errno}`;
  if (!filter.set) items.push({ id: "SystemCallFilter *", value: "allow", kind: "permission", group: "SystemCallFilter" });
  else {
    items.push({ id: "default action", value: filter.allow ? denied : "allow", kind: "fact", group: "SystemCallFilter" });
    for (const [name, e] of filter.names) {
      const value = e !== undefined ? `errno ${e}` : filter.allow ? "allow" : denied;
      items.push({ id: `SystemCallFilter ${name}`, value, kind: value === "allow" ? "permission" : "restriction", group: "SystemCallFilter" });
    }
  }
  for (const a of arches ?? ["*"]) items.push({ id: `SystemCallArchitectures ${a}`, value: "allow", kind: "permission", group: "SystemCallArchitectures" });
  if (!families.set) items.push({ id: "RestrictAddressFamilies *", value: "allow", kind: "permission", group: "RestrictAddressFamilies" });
  else if (!families.allow) {
    items.push({ id: "RestrictAddressFamilies *", value: "allow", kind: "permission", group: "RestrictAddressFamilies" });
    for (const f of families.names.keys())
      items.push({ id: `RestrictAddressFamilies ${f}`, value: "deny", kind: "restriction", group: "RestrictAddressFamilies" });
  } else
    for (const f of families.names.keys())
      items.push({ id: `RestrictAddressFamilies ${f}`, value: "allow", kind: "permission", group: "RestrictAddressFamilies" });
  if (!caps || caps.all) items.push({ id: "CapabilityBoundingSet *", value: "allow", kind: "permission", group: "CapabilityBoundingSet" });
  for (const c of caps?.names ?? []) {
    const value = caps!.all ? "deny" : "allow";
    items.push({ id: `CapabilityBoundingSet ${c}`, value, kind: value === "allow" ? "permission" : "restriction", group: "CapabilityBoundingSet" });
  }
  return items;
}

/** Whether a file is a systemd unit or drop-in with a [Service] section. */
export function isSystemdUnit(path: string, text: string): boolean {
  return /\.(conf|service)$/.test(path) && /^\s*\[Service\]\s*$/m.test(text);
}
