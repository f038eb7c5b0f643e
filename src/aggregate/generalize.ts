// Generalization of file paths: the predictable rules aa-logprof and SPO apply, so a profile learnt
// from a few runs also admits the next run's pids, UUIDs, hashes and scratch files. Pure: the same
// list always gives the same list.
//
// Representation. A path a rule changed becomes a pattern: `glob: true`, its generalized segments are
// a bare `*`, and every `*` or `\` that belongs to a real name is escaped (`\*`, `\\`). An entry no
// rule touched keeps its literal path and has no `glob`: there a `*` is a real character (a file may
// really be named `*`). Emitters read patterns through `pathPieces()`, which tells glob pieces from
// text, so a literal `*` never turns into a wildcard even inside a generalized path
// (`/proc/1234/we*rd` becomes `/proc/*/we\*rd`: one glob, one literal star).

import { FILE_ACCESS_ORDER, type FileAccess, type FileUse } from "../model/resources.js";

/** The rules, in the order they apply; also the order of names in `generalizedBy`. */
export const GENERALIZE_RULES = ["pid", "uuid", "hash", "many-files"] as const;
export type GeneralizeRule = (typeof GENERALIZE_RULES)[number];

/** Which rules run (all by default) and how the many-files rule decides. Examples at each rule below. */
export interface GeneralizeOptions {
  pid?: boolean;
  uuid?: boolean;
  hash?: boolean;
  manyFiles?: boolean;
  /** How many distinct files written in one directory make it `dir/*` (default 5). */
  manyFilesThreshold?: number;
  /**
   * Directories the many-files rule never widens: `/dir` exactly, or `/dir/**` for the directory and
   * everything below it. Default: `/`, `/dev` (5 written devices must not become a glob over all
   * devices: that would admit writing disks), `/proc/**` and `/sys/**` (kernel knobs).
   */
  manyFilesSkip?: string[];
}

export const DEFAULT_MANY_FILES_THRESHOLD = 5;
export const DEFAULT_MANY_FILES_SKIP: readonly string[] = ["/", "/dev", "/proc/**", "/sys/**"];

/** A piece of a path: literal text, or a glob for any characters within one segment. */
export type PathPiece = { kind: "text"; text: string } | { kind: "glob" };

/**
 * The pieces of a file's path. A literal path (no `glob`) is one text piece, whatever it contains;
 * a pattern is split at its bare `*`, with `\*` and `\\` turned back into `*` and `\`.
 */
export function pathPieces(file: Pick<FileUse, "path" | "glob">): PathPiece[] {
  if (file.glob !== true) return [{ kind: "text", text: file.path }];
  const out: PathPiece[] = [];
  let text = "";
  const p = file.path;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) {
      text += p[++i];
    } else if (c === "*") {
      if (text !== "") out.push({ kind: "text", text });
      text = "";
      out.push({ kind: "glob" });
    } else text += c;
  }
  if (text !== "") out.push({ kind: "text", text });
  return out;
}

/** Escapes a literal name for use inside a pattern (`*` -> `\*`, `\` -> `\\`). */
export function escapePatternText(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX16 = /^[0-9a-f]{16,}$/i;
const TOKEN = /^[A-Za-z0-9_-]{20,}$/;
const DIGITS = /^\d+$/;

/**
 * A hash-like segment (rule `hash`):
 * - 16 or more hex digits and nothing else: `3f1c0d9e8a7b6c5d` (git objects, overlay2 layer ids,
 *   sha256 hex, 16-digit timestamps);
 * - or a base32/base64url-looking token: 20+ characters of `[A-Za-z0-9_-]` (no dot, so no file
 *   name with an extension), with letters and digits mixed at least 3 times
 *   (`k8s4Zq0vX2mP7rT9wY1b`). The mixing test keeps words with a number out:
 *   `x86_64-linux-gnu-gcc-12` and `GoogleChromeUpdate2024Helper` stay as they are.
 */
export function isHashLike(segment: string): boolean {
  if (HEX16.test(segment)) return true;
  if (!TOKEN.test(segment)) return false;
  let switches = 0;
  let prev = 0; // 1 letter, 2 digit, 0 other
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    const kind = c >= 0x30 && c <= 0x39 ? 2 : (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? 1 : 0;
    if (kind !== 0 && prev !== 0 && kind !== prev) switches++;
    prev = kind;
  }
  return switches >= 3;
}

interface Entry {
  /** Pattern segments (escaped text, or `*`). */
  segs: string[];
  access: Set<FileAccess>;
  dir: boolean;
  rules: Set<GeneralizeRule>;
  /** Some member was already a pattern. */
  glob: boolean;
  /** The literal path, while no rule has changed the entry. */
  literal: string | undefined;
  /** How many input entries it stands for (the many-files rule counts files, not patterns). */
  members: number;
}

const WRITES: readonly FileAccess[] = ["write", "append", "create", "delete"];

/**
 * Applies the rules in order (pid, uuid, hash on each path's segments; then many-files over the
 * result), merging entries that end up with the same path: their access sets are unioned, `dir` is
 * or-ed, and `generalizedBy` lists every rule that produced the merged path, comma-separated in rule
 * order (`pid,hash`). Entries no rule touched come out unchanged. Sorted by path.
 *
 * Input may already hold generalized entries (`glob: true`): they are read as patterns, so running
 * this twice gives the same result as once.
 */
export function generalizePaths(files: FileUse[], options: GeneralizeOptions = {}): FileUse[] {
  const on = {
    pid: options.pid ?? true,
    uuid: options.uuid ?? true,
    hash: options.hash ?? true,
    manyFiles: options.manyFiles ?? true,
  };
  const threshold = Math.max(1, options.manyFilesThreshold ?? DEFAULT_MANY_FILES_THRESHOLD);
  const skip = options.manyFilesSkip ?? DEFAULT_MANY_FILES_SKIP;

  const byKey = new Map<string, Entry>();
  const add = (e: Entry) => {
    const key = e.segs.join("/");
    const old = byKey.get(key);
    if (!old) {
      byKey.set(key, e);
      return;
    }
    for (const a of e.access) old.access.add(a);
    for (const r of e.rules) old.rules.add(r);
    old.dir ||= e.dir;
    old.glob ||= e.glob;
    old.members += e.members;
    if (old.literal !== e.literal) old.literal = undefined;
  };

  for (const f of files) {
    const glob = f.glob === true;
    const segs = glob ? f.path.split("/") : f.path.split("/").map(escapePatternText);
    const rules = new Set<GeneralizeRule>();
    for (const r of f.generalizedBy?.split(",") ?? []) if ((GENERALIZE_RULES as readonly string[]).includes(r)) rules.add(r as GeneralizeRule);
    // Rule pid: a numeric /proc entry is a process, and its task/<tid> a thread:
    //   /proc/1234/status           -> /proc/*/status
    //   /proc/1234/task/1240/stat   -> /proc/*/task/*/stat
    //   /proc/self/task/1240/comm   -> /proc/self/task/*/comm
    if (on.pid && segs[0] === "" && segs[1] === "proc" && segs.length > 2) {
      if (DIGITS.test(segs[2]!)) {
        segs[2] = "*";
        rules.add("pid");
      }
      if (segs[3] === "task" && segs.length > 4 && DIGITS.test(segs[4]!)) {
        segs[4] = "*";
        rules.add("pid");
      }
    }
    // Rules uuid and hash, segment by segment (escaped text never matches: `*` and `\` are not in
    // their alphabets). uuid: a whole segment of 8-4-4-4-12 hex digits:
    //   /run/containerd/6ba7b810-9dad-11d1-80b4-00c04fd430c8/log -> /run/containerd/*/log
    // hash (see isHashLike):
    //   /var/lib/docker/overlay2/<64 hex digits>/merged/etc/hosts -> /var/lib/docker/overlay2/*/merged/etc/hosts
    for (let i = 1; i < segs.length; i++) {
      const s = segs[i]!;
      if (s === "*") continue;
      if (on.uuid && UUID.test(s)) {
        segs[i] = "*";
        rules.add("uuid");
      } else if (on.hash && isHashLike(s)) {
        segs[i] = "*";
        rules.add("hash");
      }
    }
    add({ segs, access: new Set(f.access), dir: f.dir, rules, glob, literal: rules.size === 0 && !glob ? f.path : undefined, members: 1 });
  }

  if (on.manyFiles) {
    // Rule many-files: a directory where the run wrote (write, append, create or delete) N distinct
    // files becomes `dir/*` for those files, with the union of their access:
    //   /var/cache/app/a.tmp .. /var/cache/app/e.tmp (5 written) -> /var/cache/app/*
    // Read-only neighbours keep their own entries: widening them would grant what no run did.
    const written = new Map<string, Entry[]>();
    for (const e of byKey.values()) {
      if (e.dir || e.segs.length < 2 || e.segs[e.segs.length - 1] === "*") continue;
      if (!WRITES.some((a) => e.access.has(a))) continue;
      const parent = e.segs.slice(0, -1).join("/");
      const list = written.get(parent);
      if (list) list.push(e);
      else written.set(parent, [e]);
    }
    // An existing written `dir/*` (from the uuid or hash rule) counts with the files it stands for.
    for (const [parent, list] of written) {
      const star = byKey.get(`${parent}/*`);
      const starFiles = star !== undefined && !star.dir && WRITES.some((a) => star.access.has(a)) ? star.members : 0;
      if (list.reduce((n, e) => n + e.members, starFiles) < threshold || isSkipped(parent, skip)) continue;
      for (const e of list) {
        byKey.delete(e.segs.join("/"));
        add({ segs: [...e.segs.slice(0, -1), "*"], access: e.access, dir: false, rules: new Set([...e.rules, "many-files"]), glob: e.glob, literal: undefined, members: e.members });
      }
    }
  }

  const out: FileUse[] = [];
  for (const [key, e] of byKey) {
    const access = FILE_ACCESS_ORDER.filter((a) => e.access.has(a));
    if (e.literal !== undefined) {
      out.push({ path: e.literal, access, dir: e.dir });
      continue;
    }
    const rules = GENERALIZE_RULES.filter((r) => e.rules.has(r));
    const f: FileUse = { path: key === "" ? "/" : key, access, dir: e.dir, glob: true };
    if (rules.length > 0) f.generalizedBy = rules.join(",");
    out.push(f);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.glob ? 1 : 0) - (b.glob ? 1 : 0)));
}

/** Whether the many-files rule must leave the directory (a pattern key) alone. */
function isSkipped(parent: string, skip: readonly string[]): boolean {
  const dir = parent === "" ? "/" : parent;
  for (const s of skip) {
    if (s.endsWith("/**")) {
      const base = escapePatternText(s.slice(0, -3)) || "/";
      if (dir === base || dir.startsWith(base === "/" ? "/" : `${base}/`)) return true;
    } else if (dir === (escapePatternText(s) || "/")) return true;
  }
  return false;
}
