// AppArmor profile for a container, from what its recorded runs touched. Every path, address and
// evidence string comes from a trace and is untrusted: paths are always double-quoted with the
// pattern characters escaped, text that cannot be represented is rejected (AppArmorEmitError), and
// untrusted text in comments is made inert. Escaping verified against apparmor_parser 3.0.8 under
// `--warn=all --Werror` (see the table in apparmor.test.ts).

import { commentText, displayValue, type ValueProblem } from "../model/untrusted-text.js";
import {
  byCodeUnits,
  DOCKER_DENY_PATTERNS,
  deniedBy,
  denyStatesAfter,
  digitsStar,
  type Letter,
  literalPrefix,
  PID_FIRST,
  prefixesMeet,
  type Token,
  tokensOfGlob,
  tokensOfPath,
} from "./apparmor-overlap.js";
import { literalAndGlobs, pathProblem, pidGlobs, PROFILE_NAME, quotePath } from "./apparmor-quoting.js";
import { UserError } from "../model/diagnostics.js";
import type { Capability, ContainerResources, FileAccess } from "../model/resources.js";

export interface AppArmorOptions {
  /** How many runs the resources were recorded from (the `N` of "seen in n of N runs"). */
  runs: number;
  /** Policy ABI the profile pins; only 3.0 (AppArmor 3.x parsers, and 4.x in 3.0 mode) for now. */
  abi?: "3.0";
}

export type AppArmorProblemCode = "SC_APPARMOR_PROFILE_NAME" | "SC_APPARMOR_PATH" | "SC_APPARMOR_NETWORK" | "SC_APPARMOR_CAPABILITY";

/** One input the emitter cannot turn into a rule, and why (`what`: `profile name`, `file`, `exec`, `unix socket`, `socket`, `capability`). */
export type AppArmorProblem = ValueProblem<AppArmorProblemCode>;

// The quoting and the limits are apparmor-quoting.ts's; callers and tests keep importing them from here.
export { APPARMOR_MAX_PATH_BYTES, quotePath } from "./apparmor-quoting.js";
export { displayValue };

/**
 * Thrown when the model holds values AppArmor cannot represent safely. Carries every problem found,
 * not just the first, so the caller can report one diagnostic per value (or drop them with
 * `findAppArmorProblems` and emit the rest).
 */
export class AppArmorEmitError extends UserError {
  constructor(readonly problems: readonly AppArmorProblem[]) {
    const first = problems[0];
    const head = first ? `${first.what} ${displayValue(first.value)}: ${first.reason}` : "no problem";
    super(`cannot emit AppArmor profile: ${head}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`, first?.code ?? "SC_APPARMOR_PATH");
    this.name = "AppArmorEmitError";
  }
}

// ---------------------------------------------------------------------------------------------
// File permissions

const LETTER_ORDER: readonly Letter[] = ["m", "r", "w", "a", "l", "k", "ix"];

/** FIELD-NOTES mapping. `stat` needs no rule: AppArmor does not mediate stat/access/readlink. */
const ACCESS_LETTER = {
  read: "r",
  write: "w",
  append: "a",
  create: "w",
  delete: "w",
  exec: "ix",
  map: "m",
  link: "l",
  lock: "k",
  stat: undefined,
} as const satisfies Record<FileAccess, Letter | undefined>;

function modeString(letters: ReadonlySet<Letter>): string {
  // `w` already grants append; AppArmor rejects a rule holding both.
  return LETTER_ORDER.filter((l) => letters.has(l) && !(l === "a" && letters.has("w"))).join("");
}

type FileGroup = "exec" | "map" | "dir" | "unix" | "file";

const FILE_GROUP_COMMENT = {
  exec: "# programs run: ix keeps them under this profile",
  map: "# libraries and other files mapped executable (m)",
  dir: "# directories listed or created (rules for directories end in /)",
  unix: "# unix sockets bound or connected to by path (AppArmor checks rw on the socket file)",
  file: "# files",
} as const satisfies Record<FileGroup, string>;

const FILE_GROUP_ORDER: readonly FileGroup[] = ["exec", "map", "file", "dir", "unix"];

interface FileEntry {
  rule: PathRule;
  letters: Set<Letter>;
  group: FileGroup;
  runs: number;
  generalizedBy: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Network and capabilities

/** Address families apparmor_parser 3.0 knows (`network` af_mask of abi/3.0, without `unspec`). */
// biome-ignore format: a table, several entries per line
const NETWORK_FAMILIES = new Set([
  "unix", "inet", "ax25", "ipx", "appletalk", "netrom", "bridge", "atmpvc", "x25", "inet6", "rose", "netbeui", "security",
  "key", "netlink", "packet", "ash", "econet", "atmsvc", "rds", "sna", "irda", "pppox", "wanpipe", "llc", "ib", "mpls",
  "can", "tipc", "bluetooth", "iucv", "rxrpc", "isdn", "phonet", "ieee802154", "caif", "alg", "nfc", "vsock", "kcm",
  "qipcrtr", "smc", "xdp",
]);
const NETWORK_TYPES = new Set(["stream", "dgram", "seqpacket", "rdm", "raw", "packet"]);

/** Every capability of the model, checked at run time too (the model can come from a file). */
// biome-ignore format: a table, several entries per line
const CAPABILITY_NAMES = {
  chown: true, dac_override: true, dac_read_search: true, fowner: true, fsetid: true, kill: true, setgid: true, setuid: true,
  setpcap: true, net_bind_service: true, net_broadcast: true, net_admin: true, net_raw: true, ipc_lock: true, sys_chroot: true,
  sys_ptrace: true, sys_admin: true, sys_nice: true, sys_resource: true, sys_time: true, mknod: true, audit_write: true, setfcap: true,
} as const satisfies Record<Capability, true>;

function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITY_NAMES, name);
}

// ---------------------------------------------------------------------------------------------
// Path rules

/**
 * Paths the kernel resolves before AppArmor sees them: strace shows `/proc/self/status`, AppArmor
 * matches `/proc/1234/status`. Rewritten to the tunables' pid variables so the rule matches.
 * (Other symlinks, such as `/bin` -> `/usr/bin`, depend on the image and are left as recorded.)
 */
const PID: readonly Token[] = [{ star: false, set: PID_FIRST }, ...digitsStar()];
const PROC_ALIASES: readonly { prefix: string; rule: string; pattern: readonly Token[] }[] = [
  { prefix: "/proc/self", rule: "@{PROC}/@{pid}", pattern: [...tokensOfGlob("/proc/"), ...PID] },
  { prefix: "/proc/thread-self", rule: "@{PROC}/@{pid}/task/@{tid}", pattern: [...tokensOfGlob("/proc/"), ...PID, ...tokensOfGlob("/task/"), ...PID] },
];

/** A path rule's text, the language it matches (for the deny-rule conflict check), and how it was rewritten. */
interface PathRule {
  text: string;
  pattern: Token[];
  /** literalPrefix(pattern). */
  prefix: string;
  /** Set when a resolved-path alias rewrote the recorded path. */
  recordedAs?: string;
}

function pathRule(path: string, dir: boolean, globs: ReadonlySet<number>, pids: ReadonlySet<number>): PathRule {
  const p = dir && !path.endsWith("/") ? `${path}/` : path;
  for (const alias of PROC_ALIASES) {
    if (p === alias.prefix || p.startsWith(`${alias.prefix}/`)) {
      const rest = p.slice(alias.prefix.length);
      const shift = (set: ReadonlySet<number>) => new Set([...set].map((i) => i - alias.prefix.length).filter((i) => i >= 0));
      const pattern = [...alias.pattern, ...tokensOfPath(rest, shift(globs), shift(pids))];
      return { text: `"${alias.rule}${quotePath(rest, shift(globs)).slice(1)}`, pattern, prefix: literalPrefix(pattern), recordedAs: alias.prefix };
    }
  }
  const pattern = tokensOfPath(p, globs, pids);
  return { text: quotePath(p, globs), pattern, prefix: literalPrefix(pattern) };
}

// ---------------------------------------------------------------------------------------------
// Text helpers

function seenNote(runs: number, total: number): string {
  return runs < total ? `seen in ${runs} of ${total} runs` : "";
}

function withNote(rule: string, ...notes: string[]): string {
  const text = notes.filter((n) => n !== "").join("; ");
  return text === "" ? `  ${rule}` : `  ${rule}  # ${text}`;
}

// ---------------------------------------------------------------------------------------------

/** Every value of `r` (and the name) the emitter would reject; empty when `emitAppArmor` succeeds. */
export function findAppArmorProblems(name: string, r: ContainerResources): AppArmorProblem[] {
  const problems: AppArmorProblem[] = [];
  if (!PROFILE_NAME.test(name)) {
    problems.push({
      code: "SC_APPARMOR_PROFILE_NAME",
      what: "profile name",
      value: name,
      reason: "expected letters, digits, '.', '_' or '-', starting with a letter or digit",
    });
  }
  const checkPath = (what: string, value: string, text = value): void => {
    const reason = pathProblem(text);
    if (reason !== undefined) problems.push({ code: "SC_APPARMOR_PATH", what, value, reason });
  };
  // A pattern is checked as the text it stands for, its globs as `*`.
  for (const f of r.files) checkPath("file", f.path, literalAndGlobs(f).text);
  for (const e of r.execs) checkPath("exec", e.path);
  for (const ep of [...r.listens, ...r.connects]) {
    // `@name` is abstract (covered by the network unix rules), "" unnamed; anything else is a file.
    if (ep.family === "unix" && ep.address !== "" && !ep.address.startsWith("@")) checkPath("unix socket", ep.address);
  }
  for (const s of r.sockets) {
    if (!NETWORK_FAMILIES.has(s.family)) {
      problems.push({
        code: "SC_APPARMOR_NETWORK",
        what: "socket",
        value: `${s.family} ${s.type}`,
        reason: `address family ${displayValue(s.family)} is not one apparmor_parser knows`,
        item: s,
      });
    } else if (!NETWORK_TYPES.has(s.type)) {
      problems.push({
        code: "SC_APPARMOR_NETWORK",
        what: "socket",
        value: `${s.family} ${s.type}`,
        reason: `socket type ${displayValue(s.type)} is not one of ${[...NETWORK_TYPES].join(", ")}`,
        item: s,
      });
    }
  }
  for (const c of r.capabilities) {
    if (!isCapability(c.name)) problems.push({ code: "SC_APPARMOR_CAPABILITY", what: "capability", value: c.name, reason: "not a known capability", item: c });
  }
  return problems;
}

/**
 * The AppArmor profile `name` for a container: allow rules for exactly what its runs touched, the
 * runtime's signal rules, and Docker's default deny rules except any the workload was seen needing.
 * Pure and deterministic. Throws AppArmorEmitError listing every value it cannot represent.
 */
export function emitAppArmor(name: string, r: ContainerResources, options: AppArmorOptions): string {
  const problems = findAppArmorProblems(name, r);
  if (problems.length > 0) throw new AppArmorEmitError(problems);
  const total = options.runs;
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`runs must be a positive integer, got ${total}`);
  const abi = options.abi ?? "3.0";

  // Files, programs and socket paths, one rule per resulting path.
  const entries = new Map<string, FileEntry>();
  let statOnly = 0;
  const add = (path: string, dir: boolean, globs: ReadonlySet<number>, letters: Letter[], group: FileGroup, runs: number, generalizedBy?: string): void => {
    const rule = pathRule(path, dir, globs, pidGlobs(path, globs, generalizedBy));
    let e = entries.get(rule.text);
    if (!e) {
      e = { rule, letters: new Set(), group, runs, generalizedBy: new Set() };
      entries.set(rule.text, e);
    }
    for (const l of letters) e.letters.add(l);
    if (FILE_GROUP_ORDER.indexOf(group) < FILE_GROUP_ORDER.indexOf(e.group)) e.group = group;
    e.runs = Math.max(e.runs, runs);
    for (const name of generalizedBy?.split(",") ?? []) e.generalizedBy.add(name);
  };
  for (const f of r.files) {
    const letters = [...new Set(f.access.map((a) => ACCESS_LETTER[a]).filter((l): l is Letter => l !== undefined))];
    if (letters.length === 0) {
      statOnly++;
      continue;
    }
    const group: FileGroup = letters.includes("ix") ? "exec" : letters.includes("m") ? "map" : f.dir ? "dir" : "file";
    const { text, globs } = literalAndGlobs(f);
    add(text, f.dir, globs, letters, group, f.runs, f.generalizedBy);
  }
  for (const e of r.execs) add(e.path, false, new Set(), ["ix"], "exec", e.runs);
  for (const ep of [...r.listens, ...r.connects]) {
    if (ep.family === "unix" && ep.address.startsWith("/")) add(ep.address, false, new Set(), ["r", "w"], "unix", ep.runs);
  }

  // Capabilities, plus net_raw for raw and packet sockets.
  const caps = new Map<Capability, { evidence: string[]; runs: number }>();
  for (const c of r.capabilities) {
    const cur = caps.get(c.name) ?? { evidence: [], runs: 0 };
    cur.evidence.push(c.evidence);
    cur.runs = Math.max(cur.runs, c.runs);
    caps.set(c.name, cur);
  }
  // CAP_NET_RAW: raw IP sockets and every packet socket; netlink's SOCK_RAW is its ordinary type and needs none.
  const rawSockets = r.sockets.filter((s) => ((s.family === "inet" || s.family === "inet6") && s.type === "raw") || s.family === "packet");
  if (rawSockets.length > 0 && !caps.has("net_raw")) {
    const first = rawSockets.map((s) => `network ${s.family} ${s.type}`).sort(byCodeUnits)[0] as string;
    caps.set("net_raw", { evidence: [`inferred: ${first} needs CAP_NET_RAW`], runs: Math.max(...rawSockets.map((s) => s.runs)) });
  }

  const network = new Map<string, number>();
  for (const s of r.sockets) {
    const key = `network ${s.family} ${s.type},`;
    network.set(key, Math.max(network.get(key) ?? 0, s.runs));
  }

  const lines: string[] = [];
  lines.push(`# Generated by syscage from ${total} recorded run(s); regenerate, do not edit.`);
  lines.push(`abi <abi/${abi}>,`);
  lines.push("#include <tunables/global>");
  lines.push("");
  lines.push(`profile ${name} flags=(attach_disconnected,mediate_deleted) {`);
  lines.push("  #include <abstractions/base>");

  if (caps.size > 0) {
    lines.push("");
    lines.push("  # capabilities, with the call that needed each");
    for (const [cap, c] of [...caps].sort(([a], [b]) => byCodeUnits(a, b))) {
      const evidence = [...new Set(c.evidence)].sort(byCodeUnits);
      const more = evidence.length > 1 ? ` (+${evidence.length - 1} more)` : "";
      lines.push(withNote(`capability ${cap},`, commentText(evidence[0] ?? "") + more, seenNote(c.runs, total)));
    }
  }

  const endpoints = [...r.listens.map((e) => ({ e, verb: "listens on" })), ...r.connects.map((e) => ({ e, verb: "connects to" }))]
    .filter(({ e }) => e.family !== "unix")
    .map(({ e, verb }) => `${verb} ${e.family}${e.proto ? ` ${e.proto}` : ""} ${e.address}${e.port !== undefined ? ` port ${e.port}` : ""}`);
  if (network.size > 0 || endpoints.length > 0) {
    lines.push("");
    lines.push("  # network: socket families and types created (ABI 3.0 cannot restrict addresses or ports)");
    for (const [rule, runs] of [...network].sort(([a], [b]) => byCodeUnits(a, b))) lines.push(withNote(rule, seenNote(runs, total)));
    for (const text of [...new Set(endpoints)].sort(byCodeUnits)) lines.push(`  # ${commentText(text)}`);
  }

  const sorted = [...entries.values()].sort((a, b) => byCodeUnits(a.rule.text, b.rule.text));
  for (const group of FILE_GROUP_ORDER) {
    const inGroup = sorted.filter((e) => e.group === group);
    if (inGroup.length === 0) continue;
    lines.push("");
    lines.push(`  ${FILE_GROUP_COMMENT[group]}`);
    for (const e of inGroup) {
      const generalized = e.generalizedBy.size > 0 ? `generalized (${[...e.generalizedBy].sort(byCodeUnits).join(", ")})` : "";
      const recorded = e.rule.recordedAs !== undefined ? `recorded as ${e.rule.recordedAs}/...` : "";
      lines.push(withNote(`${e.rule.text} ${modeString(e.letters)},`, recorded, generalized, seenNote(e.runs, total)));
    }
  }
  if (statOnly > 0) {
    lines.push("");
    lines.push(`  # ${statOnly} path(s) only stat'ed or access()'ed: AppArmor does not mediate that, so they need no rule`);
  }

  lines.push("");
  lines.push("  # runtime: host processes (unconfined), runc and crun (confined since AppArmor 4) stop the container;");
  lines.push("  # processes in the container signal each other and read each other's /proc entries");
  lines.push("  signal (receive) peer=unconfined,");
  lines.push("  signal (receive) peer=runc,");
  lines.push("  signal (receive) peer=crun,");
  lines.push(`  signal (send, receive) peer=${name},`);
  lines.push(`  ptrace (read, readby) peer=${name},`);
  lines.push("  # not granted, unlike Docker's default: ptrace (trace, tracedby) between container processes");

  // Deny rules override allow rules in AppArmor: one that covers something the workload certainly did
  // (a recorded path, or a generalized one whose every match it denies) would break it, so it is
  // left out, as a comment naming the first such rule. One that only overlaps a generalized rule is
  // kept: it removes part of what generalization added, which no run was seen to need.
  lines.push("");
  lines.push("  # Docker's default denies: they keep broad globs and later hand edits away from /proc and /sys");
  const usesAlg = r.sockets.some((s) => s.family === "alg");
  lines.push(usesAlg ? "  # deny network alg,  (left out: the workload creates AF_ALG sockets)" : "  deny network alg,");
  lines.push("  deny mount,");
  for (const { deny, dfa, prefixes } of DOCKER_DENY_PATTERNS) {
    let blocked: FileEntry | undefined;
    let trimmed: FileEntry | undefined;
    for (const e of sorted) {
      if (!deniedBy(deny, e.letters)) continue;
      if (!prefixes.some((p) => prefixesMeet(p, e.rule.prefix))) continue;
      const ends = [...denyStatesAfter(e.rule.pattern, dfa)].map((st) => dfa.accepting[st] === true);
      // Every path the rule matches is denied: the workload certainly did something the deny blocks.
      if (ends.length > 0 && ends.every(Boolean)) {
        blocked = e;
        break;
      }
      // Only some are: the rule is a generalization, and the deny trims it back (fails closed).
      if (ends.some(Boolean)) trimmed ??= e;
    }
    const what = (e: FileEntry) => `${e.rule.text} ${modeString(e.letters)}`;
    if (blocked) lines.push(`  # ${deny.rule}  (left out: the workload needs ${what(blocked)})`);
    else if (trimmed) lines.push(`  ${deny.rule}  # also trims the generalized ${what(trimmed)}`);
    else lines.push(`  ${deny.rule}`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
