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

import { escapePatternText } from "../model/path-pattern.js";
import { FILE_ACCESS_ORDER, type FileAccess, type FileUse } from "../model/resources.js";

// The pattern format itself (pieces, escaping) is shared with the emitters: model/path-pattern.ts.
export { escapePatternText, type PathPiece, pathPieces } from "../model/path-pattern.js";

/** The rules, in the order they apply; also the order of names in `generalizedBy`. */
export const GENERALIZE_RULES = ["pid", "uuid", "hash", "generated", "between-runs", "many-files"] as const;
export type GeneralizeRule = (typeof GENERALIZE_RULES)[number];

/** Which rules run (all by default) and how the many-files rule decides. Examples at each rule below. */
export interface GeneralizeOptions {
  pid?: boolean;
  uuid?: boolean;
  hash?: boolean;
  /** Names the workload created in the shape programs generate (`tmp.XXXXXXXXXX`, pids, timestamps). */
  generated?: boolean;
  /** What differs between runs at the same place of the same path (applied in aggregate/resources.ts). */
  betweenRuns?: boolean;
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d{1,10}$/;

/**
 * Linux's NAME_MAX: no file name is longer, so a longer "segment" (a hostile or cut trace) is never
 * generalized, and no rule scans it (a 20 MB segment once overflowed the regular expression stack).
 */
export const NAME_MAX = 255;
/** Linux's PATH_MAX: longer paths are matched only literally (regular expressions over 20 MB overflow). */
export const PATH_MAX = 4096;

/**
 * Where a rule may put a glob: the safety rule every generalization obeys, whatever its options
 * (README "Generalized paths"). `segs` are a path's segments (`segs[0]` is the empty root),
 * `i` the segment that would hold the glob, `partial` whether the segment keeps literal text
 * around its `*` (`tmp.*`) rather than being a bare `*`, `writes` whether the entry grants more
 * than reading (write, append, create, delete, link, lock; many-files and between-runs always count
 * as writing).
 * - never at the root (`/*`: a glob over top-level directories);
 * - in the system directories /etc, /usr, /bin, /sbin, /lib*, /boot, /root, /proc, /sys, /dev:
 *   never directly in them (`/etc/*`, `/usr/*`), never for a write, and in /proc only the pid
 *   rule's numeric /proc/<pid> and task/<tid>; a deeper read-only pattern stays allowed
 *   (`/sys/fs/cgroup/.../<hash>/memory.max` r). /dev/shm is scratch space, not a system directory;
 * - never a bare `*` directly in a top-level directory (`/tmp/*`, `/home/*`, `/data/*`) or in
 *   /dev/shm, and nothing directly in /var (`/var/*`); a partial name (`/tmp/tmp.*`) is allowed.
 */
export function mayGlob(segs: readonly string[], i: number, partial: boolean, rule: GeneralizeRule, writes: boolean): boolean {
  if (i <= 1) return false;
  const top = segs[1] ?? "";
  if (top === "dev" && segs[2] === "shm") return i >= 3 && (partial || i > 3);
  if (top === "proc" && rule === "pid") return true;
  if (SYSTEM_TOP.has(top) || /^lib/.test(top)) return !writes && i > 2 && top !== "proc";
  if (i === 2 && (top === "var" || !partial)) return false;
  return true;
}
const SYSTEM_TOP = new Set(["etc", "usr", "bin", "sbin", "boot", "root", "proc", "sys", "dev"]);
/** Access that is more than reading: a pattern with it may not be made in system directories. */
const NOT_READ: readonly FileAccess[] = ["write", "append", "create", "delete", "link", "lock"];
const writesOf = (access: Iterable<FileAccess>) => [...access].some((a) => NOT_READ.includes(a));

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
  const n = segment.length;
  if (n < 16 || n > NAME_MAX) return false;
  let hex = true;
  let token = n >= 20;
  let switches = 0;
  let prev = 0; // 1 letter, 2 digit, 0 other
  for (let i = 0; i < n; i++) {
    const c = segment.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39;
    const lower = c >= 0x61 && c <= 0x7a;
    const letter = lower || (c >= 0x41 && c <= 0x5a);
    if (!digit && !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)) hex = false;
    if (!digit && !letter && c !== 0x5f && c !== 0x2d) token = false;
    if (!hex && !token) return false;
    const kind = digit ? 2 : letter ? 1 : 0;
    if (kind !== 0 && prev !== 0 && kind !== prev) switches++;
    prev = kind;
  }
  return hex || switches >= 3;
}

/**
 * The pattern of a name a program generated (rule `generated`), or undefined. Only names the
 * workload itself created are looked at (see generalizePaths):
 * - mktemp and friends: a name ending in a separator and 6+ random letters and digits (a digit
 *   among letters, or case switching twice): `tmp.Xq3kLm9PzA` -> `tmp.*`, `build-k3Jx9Q` -> `build-*`
 *   (`README.Debian`, `config.backup` stay);
 *   Python's tempfile: `tmp` and 8 of `[a-z0-9_]` with a digit or `_`: `tmpk2x_9qzd` -> `tmp*`;
 * - pids and timestamps: each run of 4+ digits (with `-_:.T` between digit groups) becomes `*`:
 *   `app.12345.pid` -> `app.*.pid`, `log-20261127T125101.txt` -> `log-*.txt`.
 * The result is escaped pattern text with bare `*` globs.
 */
export function generatedPattern(name: string): string | undefined {
  if (name.length > NAME_MAX || name.length < 4) return undefined;
  // A whole UUID or hash is the uuid/hash rule's, with its own safety (a bare `*`).
  if (UUID.test(name) || isHashLike(name)) return undefined;
  const m = /^(.*[._-])([A-Za-z0-9]{6,})$/.exec(name);
  if (m && looksRandom(m[2]!)) return `${escapePatternText(m[1]!)}*`;
  const py = /^tmp([a-z0-9_]{8})$/.exec(name);
  if (py && /[0-9_]/.test(py[1]!)) return "tmp*";
  if (!/\d{4}/.test(name)) return undefined;
  const parts = name.split(/(\d{4,}(?:[-_:.T]\d+)*)/);
  // split with a capture group: odd indexes are the digit runs.
  return parts.map((p, i) => (i % 2 === 1 ? "*" : escapePatternText(p))).join("");
}

/** Random letters and digits: a digit among letters, or letters switching case twice (`Debian` does once). */
function looksRandom(s: string): boolean {
  if (/[0-9]/.test(s) && /[A-Za-z]/.test(s)) return true;
  let switches = 0;
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!;
    const b = s[i]!;
    if (/[a-z]/.test(a) !== /[a-z]/.test(b) && /[A-Za-z]/.test(a) && /[A-Za-z]/.test(b)) switches++;
  }
  return switches >= 2;
}

/**
 * Rule `between-runs`: at the same place of the same path shape, the one name each run used, when
 * it differs between runs and looks generated. `runs` holds each run's literal files; the result
 * maps a literal path to its pattern (escaped, with `*`). Runs 1 and 2 of a container:
 *   /srv/app/tmp.Xq3kLm9PzA/out.json, /srv/app/tmp.B7pQ2xRt0c/out.json -> /srv/app/tmp.*\/out.json
 *   /run/app/worker-4242.sock, /run/app/worker-977.sock            -> /run/app/worker-*.sock
 * Conditions: every run that has the shape has exactly one name there; two or more distinct names;
 * the text they share up to a separator (`.`, `-`, `_`) before and after stays literal; what
 * differs is 3+ letters, digits, `_`, `-` and holds a digit or a capital after its first letter
 * among small ones (`alpha.conf` and `bravo.conf`, `report.Annual` and `report.Weekly` stay apart),
 * or the names are one template's (templateNames); and `mayGlob` allows the glob there.
 */
export function generalizeBetweenRuns(runs: readonly (readonly FileUse[])[]): Map<string, string> {
  const shapes = new Map<string, { i: number; perRun: Map<number, Set<string>>; paths: Set<string> }>();
  runs.forEach((files, r) => {
    for (const f of files) {
      if (f.glob === true || f.path.length > PATH_MAX) continue;
      const segs = f.path.split("/");
      for (let i = 2; i < segs.length; i++) {
        const s = segs[i]!;
        if (s === "" || s.length > NAME_MAX) continue;
        const key = `${i}\0${segs.slice(0, i).join("/")}\0${segs.slice(i + 1).join("/")}`;
        let shape = shapes.get(key);
        if (!shape) shapes.set(key, (shape = { i, perRun: new Map(), paths: new Set() }));
        let names = shape.perRun.get(r);
        if (!names) shape.perRun.set(r, (names = new Set()));
        names.add(s);
        shape.paths.add(f.path);
      }
    }
  });
  const out = new Map<string, string>();
  for (const shape of [...shapes.values()].sort((a, b) => a.i - b.i)) {
    if (shape.perRun.size < 2 || [...shape.perRun.values()].some((s) => s.size !== 1)) continue;
    const names = [...new Set([...shape.perRun.values()].map((s) => [...s][0]!))].sort();
    if (names.length < 2) continue;
    const pattern = sharedPattern(names);
    if (pattern === undefined) continue;
    for (const path of [...shape.paths].sort()) {
      if (out.has(path)) continue;
      const segs = path.split("/").map(escapePatternText);
      segs[shape.i] = pattern;
      if (!mayGlob(segs, shape.i, pattern !== "*", "between-runs", true)) break;
      out.set(path, segs.join("/"));
    }
  }
  return out;
}

/** `prefix*suffix` for names that differ only in a generated-looking middle (escaped), or undefined. */
function sharedPattern(names: readonly string[]): string | undefined {
  const first = names[0]!;
  let pre = first.length;
  let suf = first.length;
  for (const n of names) {
    let k = 0;
    while (k < pre && k < n.length && n[k] === first[k]) k++;
    pre = k;
    let j = 0;
    while (j < suf && j < n.length && n[n.length - 1 - j] === first[first.length - 1 - j]) j++;
    suf = j;
  }
  suf = Math.min(suf, Math.min(...names.map((n) => n.length)) - pre);
  // Keep shared text only up to a separator: `tmp.Ab3` and `tmp.Xy3` share `tmp.`, not the `3`.
  const SEP = /[._-]/;
  while (pre > 0 && !SEP.test(first[pre - 1]!)) pre--;
  while (suf > 0 && !SEP.test(first[first.length - suf]!)) suf--;
  const middles = names.map((n) => n.slice(pre, n.length - suf));
  if (middles.some((m) => m.length < 3)) return undefined;
  if (middles.some((m) => !/^[A-Za-z0-9_-]+$/.test(m))) return undefined;
  if (!middles.every(generatedLooking) && !templateNames(middles)) return undefined;
  return `${escapePatternText(first.slice(0, pre))}*${escapePatternText(first.slice(first.length - suf))}`;
}

/** What differs between runs looks generated: a digit, or a capital after the first letter among small ones (not `Annual`). */
function generatedLooking(m: string): boolean {
  return /[0-9]/.test(m) || (/[a-z]/.test(m) && /[A-Z]/.test(m.slice(1)));
}

/**
 * Names a template made (mktemp's `job.XXXXXX`): the same length, 6 or more letters and digits, and
 * one at least generatedLooking. A random suffix can come out all capitals or with no digit
 * (`job.UWMGGK` beside `job.QJGsff`); words (`Annual`, `Weekly`) and lengths that differ stay apart.
 */
function templateNames(middles: readonly string[]): boolean {
  const n = middles[0]!.length;
  if (n < 6 || middles.some((m) => m.length !== n || !/^[A-Za-z0-9]+$/.test(m))) return false;
  return middles.some(generatedLooking);
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
    generated: options.generated ?? true,
    manyFiles: options.manyFiles ?? true,
  };
  // Rule generated: a name the workload created (O_CREAT, mkdir, the target of rename or link) in
  // a generated shape becomes its pattern, for that entry and every path below it:
  //   mkdir /srv/job/tmp.Xq3kLm9PzA, write .../out.json -> /srv/job/tmp.*, /srv/job/tmp.*\/out.json
  const generatedAt = new Map<string, string>();
  if (on.generated) {
    for (const f of files) {
      if (f.glob === true || !f.access.includes("create") || f.path.length > PATH_MAX) continue;
      const segs = f.path.split("/").map(escapePatternText);
      const last = segs.length - 1;
      const name = f.path.slice(f.path.lastIndexOf("/") + 1);
      const pattern = generatedPattern(name);
      if (pattern !== undefined && mayGlob(segs, last, pattern !== "*", "generated", true)) generatedAt.set(segs.join("/"), pattern);
    }
  }
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
    if (generatedAt.size > 0) {
      let prefix = segs[0]!;
      for (let i = 1; i < segs.length; i++) {
        prefix += `/${segs[i]}`;
        const g = generatedAt.get(prefix);
        if (g !== undefined) {
          segs[i] = g;
          rules.add("generated");
        }
      }
    }
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
      if (s === "*" || s.length > NAME_MAX) continue;
      if (on.uuid && UUID.test(s) && mayGlob(segs, i, false, "uuid", writesOf(f.access))) {
        segs[i] = "*";
        rules.add("uuid");
      } else if (on.hash && isHashLike(s) && mayGlob(segs, i, false, "hash", writesOf(f.access))) {
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
      if (!mayGlob(list[0]!.segs, list[0]!.segs.length - 1, false, "many-files", true)) continue;
      for (const e of list) {
        byKey.delete(e.segs.join("/"));
        add({
          segs: [...e.segs.slice(0, -1), "*"],
          access: e.access,
          dir: false,
          rules: new Set([...e.rules, "many-files"]),
          glob: e.glob,
          literal: undefined,
          members: e.members,
        });
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
