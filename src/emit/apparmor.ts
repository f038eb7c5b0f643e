// AppArmor profile for a container, from what its recorded runs touched. Every path, address and
// evidence string comes from a trace and is untrusted: paths are always double-quoted with the
// pattern characters escaped, text that cannot be represented is rejected (AppArmorEmitError), and
// untrusted text in comments is made inert. Escaping verified against apparmor_parser 3.0.8 under
// `--warn=all --Werror` (see the table in apparmor.test.ts).

import { commentText, displayValue, unsafeCharacterProblem, type ValueProblem } from "../model/untrusted-text.js";
import { pathPieces } from "../model/path-pattern.js";
import { UserError } from "../model/diagnostics.js";
import type { Capability, ContainerResources, FileAccess, FileUse } from "../model/resources.js";

export interface AppArmorOptions {
  /** How many runs the resources were recorded from (the `N` of "seen in n of N runs"). */
  runs: number;
  /** Policy ABI the profile pins; only 3.0 (AppArmor 3.x parsers, and 4.x in 3.0 mode) for now. */
  abi?: "3.0";
}

export type AppArmorProblemCode = "SC_APPARMOR_PROFILE_NAME" | "SC_APPARMOR_PATH" | "SC_APPARMOR_NETWORK" | "SC_APPARMOR_CAPABILITY";

/** One input the emitter cannot turn into a rule, and why (`what`: `profile name`, `file`, `exec`, `unix socket`, `socket`, `capability`). */
export type AppArmorProblem = ValueProblem<AppArmorProblemCode>;

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

/** `[A-Za-z0-9][A-Za-z0-9._-]*`: the name is pasted unquoted into `profile NAME` and `peer=NAME`. */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Linux PATH_MAX is 4096 bytes with the NUL: a longer path never came from a successful syscall.
 * The limit also keeps the quoted rule (at most twice as long once escaped) far below the 16 KiB
 * token buffer of apparmor_parser's scanner, which fails with "input buffer overflow" at 16384.
 */
export const APPARMOR_MAX_PATH_BYTES = 4095;

/**
 * Characters a backslash makes literal inside a quoted AppArmor path. Measured with apparmor_parser
 * 3.0.8: unescaped, `"` and `\` break the quoting, `* ? [ ] { }` become glob syntax (`@{` becomes a
 * variable because `{` is escaped here, giving `@\{`), `^` is literal outside `[]` but harmless to
 * escape. Escaping any other printable character except `$ ,` and the escape letters
 * `0-7 a e f n r t x` is "quoted unnecessarily" (an error under --Werror); `\n`, `\t`, `\x..` and
 * octal turn into other characters. So exactly this set is escaped and nothing else, with one
 * exception: a backslash that ends the path is written as octal `\134` (see quotePath).
 */
const ESCAPED_IN_PATH = new Set(["\\", '"', "*", "?", "[", "]", "{", "}", "^"]);

export { displayValue };

/** Why `path` cannot be written into a profile, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "not an absolute path";
  const unsafe = unsafeCharacterProblem(path, "AppArmor rules are kept free of them so a rule cannot span lines or hide text");
  if (unsafe !== undefined) return unsafe;
  const bytes = utf8Length(path);
  if (bytes > APPARMOR_MAX_PATH_BYTES) return `is ${bytes} bytes long; paths longer than ${APPARMOR_MAX_PATH_BYTES} bytes (PATH_MAX) cannot come from a successful call`;
  return undefined;
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * A file's path as text plus the UTF-16 indexes of the `*` that are globs. A `*` is a literal
 * character (a file can be named `*`) unless the model marks the path as a pattern (`glob: true`),
 * and even then only a bare `*` is a glob; `\*` and `\\` are a real name's `*` and `\`.
 */
function literalAndGlobs(f: Pick<FileUse, "path" | "glob">): { text: string; globs: ReadonlySet<number> } {
  let text = "";
  const globs = new Set<number>();
  for (const piece of pathPieces(f)) {
    if (piece.kind === "glob") {
      globs.add(text.length);
      text += "*";
    } else text += piece.text;
  }
  return { text, globs };
}

/**
 * The globs the `pid` rule made: whole segments at `/proc/<pid>` and `/proc/<x>/task/<tid>`. They
 * stood for numbers in every run. Only trusted when no rule but many-files (which makes the last
 * segment a glob) was also applied, so a uuid or hash glob is never mistaken for a pid.
 */
function pidGlobs(text: string, globs: ReadonlySet<number>, generalizedBy: string | undefined): ReadonlySet<number> {
  const rules = new Set(generalizedBy?.split(",") ?? []);
  if (!rules.has("pid") || [...rules].some((r) => r !== "pid" && r !== "many-files")) return new Set();
  const out = new Set<number>();
  for (const i of globs) {
    const wholeSegment = text[i - 1] === "/" && (i + 1 === text.length || text[i + 1] === "/");
    const last = text.indexOf("/", i) === -1;
    const before = text.slice(0, i);
    const place = before === "/proc/" || /^\/proc\/[^/]+\/task\/$/.test(before);
    if (wholeSegment && place && !(last && rules.has("many-files"))) out.add(i);
  }
  return out;
}

/** `path` as an AppArmor quoted path: everything literal except the `*` at `globs`. */
export function quotePath(path: string, globs: ReadonlySet<number> = new Set()): string {
  let out = '"';
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "*" && globs.has(i)) out += "*";
    // `\\"` would not close the string: apparmor_parser's lexer reads `\"` as an escaped quote and,
    // taking the longest match, runs on to the next `"` of the profile. Octal 134 is the same byte.
    else if (c === "\\" && i === path.length - 1) out += "\\134";
    else if (ESCAPED_IN_PATH.has(c)) out += `\\${c}`;
    else out += c;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------
// File permissions

type Letter = "m" | "r" | "w" | "a" | "l" | "k" | "ix";
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
const NETWORK_FAMILIES = new Set([
  "unix", "inet", "ax25", "ipx", "appletalk", "netrom", "bridge", "atmpvc", "x25", "inet6", "rose", "netbeui", "security",
  "key", "netlink", "packet", "ash", "econet", "atmsvc", "rds", "sna", "irda", "pppox", "wanpipe", "llc", "ib", "mpls",
  "can", "tipc", "bluetooth", "iucv", "rxrpc", "isdn", "phonet", "ieee802154", "caif", "alg", "nfc", "vsock", "kcm",
  "qipcrtr", "smc", "xdp",
]);
const NETWORK_TYPES = new Set(["stream", "dgram", "seqpacket", "rdm", "raw", "packet"]);

/** Every capability of the model, checked at run time too (the model can come from a file). */
const CAPABILITY_NAMES = {
  chown: true, dac_override: true, dac_read_search: true, fowner: true, fsetid: true, kill: true, setgid: true, setuid: true,
  setpcap: true, net_bind_service: true, net_broadcast: true, net_admin: true, net_raw: true, ipc_lock: true, sys_chroot: true,
  sys_ptrace: true, sys_admin: true, sys_nice: true, sys_resource: true, sys_time: true, mknod: true, audit_write: true, setfcap: true,
} as const satisfies Record<Capability, true>;

function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITY_NAMES, name);
}

// ---------------------------------------------------------------------------------------------
// Docker's deny rules, and the check that keeps them from contradicting observed behaviour

interface DockerDeny {
  rule: string;
  /** Letters the rule denies; `w` also covers append. */
  denies: readonly Letter[];
  /** The rule's path pattern with `@{PROC}` expanded and `{,}` alternatives split. */
  covers: readonly string[];
}

/** From moby/profiles apparmor/template.go (see data/docker-default.apparmor), file rules only. */
const DOCKER_FILE_DENIES: readonly DockerDeny[] = [
  { rule: "deny @{PROC}/* w,", denies: ["w"], covers: ["/proc/*"] },
  {
    rule: "deny @{PROC}/{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}/** w,",
    denies: ["w"],
    covers: ["/proc/[^1-9/]/**", "/proc/[^1-9/][^0-9/]/**", "/proc/[^1-9s/][^0-9y/][^0-9s/]/**", "/proc/[^1-9/][^0-9/][^0-9/][^0-9/]*/**"],
  },
  { rule: "deny @{PROC}/sys/[^k]** w,", denies: ["w"], covers: ["/proc/sys/[^k]**"] },
  { rule: "deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,", denies: ["w"], covers: ["/proc/sys/kernel/?", "/proc/sys/kernel/??", "/proc/sys/kernel/[^s][^h][^m]**"] },
  { rule: "deny @{PROC}/sysrq-trigger rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/proc/sysrq-trigger"] },
  { rule: "deny @{PROC}/kcore rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/proc/kcore"] },
  { rule: "deny /sys/[^f]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/[^f]*/**"] },
  { rule: "deny /sys/f[^s]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/f[^s]*/**"] },
  { rule: "deny /sys/fs/[^c]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/[^c]*/**"] },
  { rule: "deny /sys/fs/c[^g]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/c[^g]*/**"] },
  { rule: "deny /sys/fs/cg[^r]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/cg[^r]*/**"] },
  { rule: "deny /sys/firmware/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/firmware/**"] },
  { rule: "deny /sys/devices/virtual/powercap/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/devices/virtual/powercap/**"] },
  { rule: "deny /sys/kernel/security/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/kernel/security/**"] },
];

/** A set of characters: `neg` false means exactly `chars`, true means every character but `chars`. */
interface CharSet {
  neg: boolean;
  chars: ReadonlySet<string>;
}
/** One character from `set`, or (star) any number of them. */
interface Token {
  star: boolean;
  set: CharSet;
}

const NOT_SLASH: CharSet = { neg: true, chars: new Set(["/"]) };
const ANY: CharSet = { neg: true, chars: new Set() };
const DIGITS: CharSet = { neg: false, chars: new Set("0123456789") };
const PID_FIRST: CharSet = { neg: false, chars: new Set("123456789") };

function digitsStar(): Token[] {
  return [{ star: true, set: DIGITS }];
}

const LITERALS = new Map<string, Token>();
function literal(c: string): Token {
  let t = LITERALS.get(c);
  if (!t) {
    t = { star: false, set: { neg: false, chars: new Set([c]) } };
    LITERALS.set(c, t);
  }
  return t;
}

/**
 * The paths a rule matches, as tokens. A glob made by the `pid` rule stood for numbers in every run,
 * so it is taken as a pid (`[1-9][0-9]*`): a deny for non-numeric /proc entries cannot have blocked
 * what the workload did there. Other globs stand for one or more characters but `/` (a generalized
 * segment is never empty).
 */
function tokensOfPath(path: string, globs: ReadonlySet<number>, pids: ReadonlySet<number> = new Set()): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "*" && globs.has(i)) {
      if (pids.has(i)) out.push({ star: false, set: PID_FIRST }, ...digitsStar());
      else out.push({ star: false, set: NOT_SLASH }, { star: true, set: NOT_SLASH });
    } else out.push(literal(c));
  }
  return out;
}

/** The subset of AppArmor glob syntax the Docker denies use: `*`, `**`, `?`, `[...]`, `[^...]` with ranges. */
function tokensOfGlob(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      const double = glob[i + 1] === "*";
      out.push({ star: true, set: double ? ANY : NOT_SLASH });
      if (double) i++;
    } else if (c === "?") {
      out.push({ star: false, set: NOT_SLASH });
    } else if (c === "[") {
      const end = glob.indexOf("]", i);
      let body = glob.slice(i + 1, end);
      const neg = body.startsWith("^");
      if (neg) body = body.slice(1);
      const chars = new Set<string>();
      for (let j = 0; j < body.length; j++) {
        const from = body[j] as string;
        if (body[j + 1] === "-" && j + 2 < body.length) {
          const to = body[j + 2] as string;
          for (let cp = from.charCodeAt(0); cp <= to.charCodeAt(0); cp++) chars.add(String.fromCharCode(cp));
          j += 2;
        } else chars.add(from);
      }
      out.push({ star: false, set: { neg, chars } });
      i = end;
    } else out.push(literal(c));
  }
  return out;
}

function inSet(set: CharSet, c: string): boolean {
  return set.chars.has(c) !== set.neg;
}

/** Stands for every character a deny does not name: it is in each of its negated sets and no positive one. */
const OTHER_CHAR = "\u{e000}";

/**
 * A deny rule's pattern as a DFA over classes of characters: one class per character the pattern
 * names, and a last class (OTHER_CHAR) for all the rest, which it treats alike. Built once.
 */
interface DenyDfa {
  classOf: ReadonlyMap<string, number>;
  /** One character per class, the last being OTHER_CHAR. */
  reps: readonly string[];
  next: readonly (readonly number[])[];
  accepting: readonly boolean[];
}

function compileDeny(alternatives: readonly (readonly Token[])[]): DenyDfa {
  const named = new Set<string>();
  for (const t of alternatives.flat()) for (const c of t.set.chars) named.add(c);
  const reps = [...named].sort(byCodeUnits);
  const classOf = new Map(reps.map((c, i) => [c, i]));
  reps.push(OTHER_CHAR);
  // NFA states are `alternative:position`; `*` tokens may be skipped.
  const close = (states: Iterable<string>): string[] => {
    const out = new Set<string>();
    const todo = [...states];
    while (todo.length > 0) {
      const st = todo.pop() as string;
      if (out.has(st)) continue;
      out.add(st);
      const [a, i] = st.split(":").map(Number) as [number, number];
      if (alternatives[a]?.[i]?.star) todo.push(`${a}:${i + 1}`);
    }
    return [...out].sort(byCodeUnits);
  };
  const ids = new Map<string, number>();
  const sets: string[][] = [];
  const intern = (set: string[]): number => {
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
    }
    return id;
  };
  intern(close(alternatives.map((_, a) => `${a}:0`)));
  const next: number[][] = [];
  const accepting: boolean[] = [];
  for (let id = 0; id < sets.length; id++) {
    const set = sets[id] as string[];
    accepting[id] = set.some((st) => {
      const [a, i] = st.split(":").map(Number) as [number, number];
      return i === alternatives[a]?.length;
    });
    next[id] = reps.map((c) => {
      const moved: string[] = [];
      for (const st of set) {
        const [a, i] = st.split(":").map(Number) as [number, number];
        const t = alternatives[a]?.[i];
        if (t && inSet(t.set, c)) moved.push(t.star ? st : `${a}:${i + 1}`);
      }
      return intern(close(moved));
    });
  }
  return { classOf, reps, next, accepting };
}

/**
 * Which states the deny's DFA can be in after reading some path `rule` matches: a search over
 * (rule position, DFA state). Some accepting: the two overlap; all accepting: every path the rule
 * matches is denied. A deny's `*` is read as "zero or more" where AppArmor needs one character:
 * the answer can only err towards "overlaps".
 */
function denyStatesAfter(rule: readonly Token[], dfa: DenyDfa): Set<number> {
  const other = dfa.reps.length - 1;
  const classes = (set: CharSet): number[] => {
    if (!set.neg) return [...new Set([...set.chars].map((c) => dfa.classOf.get(c) ?? other))];
    return dfa.reps.map((_, k) => k).filter((k) => k === other || !set.chars.has(dfa.reps[k] as string));
  };
  const width = dfa.next.length;
  const seen = new Set<number>();
  const ends = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [j, st] = stack.pop() as [number, number];
    if (seen.has(j * width + st)) continue;
    seen.add(j * width + st);
    const t = rule[j];
    if (!t) {
      ends.add(st);
      continue;
    }
    if (t.star) stack.push([j + 1, st]);
    for (const k of classes(t.set)) stack.push([t.star ? j : j + 1, dfa.next[st]?.[k] as number]);
  }
  return ends;
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

/** The text every match of `tokens` starts with: a cheap test that two patterns cannot meet. */
function literalPrefix(tokens: readonly Token[]): string {
  let out = "";
  for (const t of tokens) {
    if (t.star || t.set.neg || t.set.chars.size !== 1) break;
    out += [...t.set.chars][0];
  }
  return out;
}

function prefixesMeet(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

const DOCKER_DENY_PATTERNS = DOCKER_FILE_DENIES.map((d) => {
  const patterns = d.covers.map(tokensOfGlob);
  return { deny: d, dfa: compileDeny(patterns), prefixes: patterns.map(literalPrefix) };
});

function deniedBy(deny: DockerDeny, letters: ReadonlySet<Letter>): boolean {
  return deny.denies.some((l) => letters.has(l) || (l === "w" && letters.has("a")));
}

// ---------------------------------------------------------------------------------------------
// Text helpers

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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
    problems.push({ code: "SC_APPARMOR_PROFILE_NAME", what: "profile name", value: name, reason: "expected letters, digits, '.', '_' or '-', starting with a letter or digit" });
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
      problems.push({ code: "SC_APPARMOR_NETWORK", what: "socket", value: `${s.family} ${s.type}`, reason: `address family ${displayValue(s.family)} is not one apparmor_parser knows`, item: s });
    } else if (!NETWORK_TYPES.has(s.type)) {
      problems.push({ code: "SC_APPARMOR_NETWORK", what: "socket", value: `${s.family} ${s.type}`, reason: `socket type ${displayValue(s.type)} is not one of ${[...NETWORK_TYPES].join(", ")}`, item: s });
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
