// Falco drift rules for containers, from what their recorded runs did: one rule each for programs
// spawned, files opened for writing, outbound connections and listening ports that no recorded run
// showed, scoped to the container's images, plus an optional (disabled) syscall rule.
//
// Every path, address and image name is untrusted. Falco builds a condition by pasting list items
// into its text (rule_loader_compiler.cpp `resolve_list`: it quotes an item only when it holds a
// space and escapes nothing), so each value is written as a complete double-quoted filter literal
// here, and values no filter grammar reads back as the same single literal are rejected
// (FalcoEmitError). Quoting verified against Debian's sysdig 0.29.3 filter compiler and the libs
// 0.25 lexer (`libsinsp/filter/parser.cpp`, `escaping.cpp`); see falco.test.ts.

import { displayValue, unsafeCharacterProblem, type ValueProblem } from "../model/untrusted-text.js";
import * as yaml from "js-yaml";
import { isIP } from "node:net";
import { pathPieces } from "../model/path-pattern.js";
import { UserError } from "../model/diagnostics.js";
import { FALCO_SYSCALL_EVENTS } from "../model/falco-events.generated.js";
import type { ContainerResources, EndpointUse, FileAccess, FileUse } from "../model/resources.js";

/**
 * How narrowly the rules allow what was recorded. `process`: each program, write, connection,
 * accepted and listening port is allowed only for the executable that was recorded doing it
 * (`proc.exepath`), and each program only as started by the program recorded starting it
 * (`proc.pexepath`). `image`: allowed for any process of the container's image, looser, for
 * workloads whose processes vary.
 */
export type FalcoScope = "process" | "image";
export const FALCO_SCOPES: readonly FalcoScope[] = ["process", "image"];

export interface FalcoContainer {
  /** The container's name in the config (`web`); sanitized into the rule identifiers. */
  name: string;
  /** Image repositories the container runs as (`docker.io/library/python`, `python`), from the config. */
  images: string[];
  resources: ContainerResources;
  /** Kernel syscall names the container may make (recorded plus baselines), for the syscall rule. */
  syscalls: string[];
  /** How many runs the resources were recorded from (the `N` of "seen in n of N runs"). */
  runs: number;
  /** Default: `process` when the resources record processes (`resources.processes`), else `image`. */
  scope?: FalcoScope;
}

export interface FalcoRulesOptions {
  /** Also emit the syscall rule (always `enabled: false`: see its desc). Default false. */
  syscallRule?: boolean;
  /** Overrides every container's `scope`. */
  scope?: FalcoScope;
}

/**
 * The Falco engine the file asks for: 0.57.0, the engine of Falco 0.42 (falco_engine_version.h at
 * tag 0.42.0; Falco 0.43 has 0.58.0, Falco 0.44 has 0.62.0), which the upstream ruleset
 * (falcosecurity/rules @ c72713e, same date as Falco 0.44.1) also requires. It is what the rules need: conditions without `evt.dir` (right only since Falco 0.42 stopped sending
 * enter events; `evt.dir` is deprecated with a load warning since), `container.*` fields from the
 * container plugin (Falco >= 0.41), and `override` for users extending the lists (Falco 0.37). An
 * older Falco refuses the file with a clear message instead of running rules that mean otherwise.
 */
export const FALCO_REQUIRED_ENGINE_VERSION = "0.57.0";
/** Falco >= 0.41 takes `container.image.repository` from this plugin; upstream's ruleset pins the same. */
export const FALCO_CONTAINER_PLUGIN = { name: "container", version: "0.4.0" } as const;

export type FalcoProblemCode = "SC_FALCO_NAME" | "SC_FALCO_IMAGE" | "SC_FALCO_VALUE";

/** One input the emitter cannot turn into a rule, and why (`what`: `container name`, `image`, `file`, `exec`, `connect`, `listen`, `syscall`). */
export interface FalcoProblem extends ValueProblem<FalcoProblemCode> {
  /** The container (config name) the value belongs to. */
  container: string;
}

/**
 * Thrown when the input holds values that cannot be written into a Falco rule safely. Carries every
 * problem, not just the first, so the caller can report one diagnostic per value.
 */
export class FalcoEmitError extends UserError {
  constructor(readonly problems: readonly FalcoProblem[]) {
    const first = problems[0];
    const head = first ? `${first.container}: ${first.what} ${displayValue(first.value)}: ${first.reason}` : "no problem";
    super(`cannot emit Falco rules: ${head}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`, first?.code ?? "SC_FALCO_VALUE");
    this.name = "FalcoEmitError";
  }
}

// ---------------------------------------------------------------------------------------------
// Filter literals

/**
 * The longest string literal Falco's filter compiler stores: libs `sinsp_filter_check::add_filter_value`
 * grows a value's buffer up to `s_max_filter_value_buf_size` (256) and `string_to_rawval` needs room
 * for the terminating NUL, so 255 bytes. A longer literal fails the whole rules file at load time
 * ("filter parameter too long"); Debian's sysdig 0.29 has the same limit.
 */
export const FALCO_MAX_LITERAL_BYTES = 255;
const UTF8 = new TextEncoder();

/**
 * Why `value` cannot be a double-quoted Falco filter literal, or undefined when it can. What is
 * accepted reads back as exactly `value` in both filter grammars in use:
 * - libs >= 0.6 (every Falco that loads this file): a `"` string ends at the first `"` whose
 *   preceding character is not a backslash, then `\\` and `\"` are unescaped. So a value ending in
 *   a backslash cannot be written: its escaped `\\` makes the closing quote look escaped.
 * - the legacy compiler in Debian's sysdig 0.29 (used to check and replay conditions): a quoted
 *   string ends at the first unescaped `"` *or* `'`, so a value holding `'` breaks out there.
 * Control characters are refused: the literal must stay on one line of the rule file.
 */
export function falcoStringProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  const unsafe = unsafeCharacterProblem(value, "filter literals are kept on one line");
  if (unsafe !== undefined) return unsafe;
  if (value.endsWith("\\")) return "ends in a backslash: Falco's lexer would take the closing quote for an escaped one";
  if (value.includes("'")) return "contains ', which ends a double-quoted string in sysdig's legacy filter compiler";
  const bytes = UTF8.encode(value).length;
  if (bytes > FALCO_MAX_LITERAL_BYTES) return `is ${bytes} bytes long; Falco's filter compiler stores at most ${FALCO_MAX_LITERAL_BYTES} bytes per value and would refuse the whole rules file`;
  return undefined;
}

/** `value` as a double-quoted filter literal (`\` and `"` escaped). Throws when falcoStringProblem finds one. */
export function quoteFalcoString(value: string): string {
  const problem = falcoStringProblem(value);
  if (problem !== undefined) throw new Error(`${JSON.stringify(value)} ${problem}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Falco pastes a list's items wherever the list's name stands between two of these characters
 * (or the ends of the condition), inside string literals too (`resolve_list`). A literal of ours
 * that holds one of our list names that way would get that list's (quoted, attacker-chosen) items
 * pasted into it, breaking out of the quotes: such literals are refused.
 */
const LIST_NAME_DELIMITERS = " \t\n\r(),=";

function embedsListName(literal: string, listNames: readonly string[]): string | undefined {
  for (const name of listNames) {
    for (let at = literal.indexOf(name); at >= 0; at = literal.indexOf(name, at + 1)) {
      const before = at === 0 ? undefined : literal[at - 1];
      const after = literal[at + name.length];
      if ((before === undefined || LIST_NAME_DELIMITERS.includes(before)) && (after === undefined || LIST_NAME_DELIMITERS.includes(after))) return name;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Names and images

/** Falco's identifier syntax (RGX_IDENTIFIER); other list and macro names load with a warning. */
const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

/** `web-api.v2` -> `web_api_v2`: the container name in the identifier charset, lower case. */
export function falcoIdentifier(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** OCI distribution path component, and a registry host (with a dot, a port, or `localhost`). */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^(?:(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*)(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

function isRegistryHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/**
 * The image's repository (what `container.image.repository` holds: no tag, no digest) in the forms
 * Docker and CRI runtimes report it. Docker Hub images appear short under Docker (`python`,
 * `org/x`) and in full under containerd/CRI-O (`docker.io/library/python`, `docker.io/org/x`).
 */
export function imageRepositoryForms(image: string): { forms: string[] } | { problem: string } {
  let repo = image;
  const at = repo.indexOf("@");
  if (at >= 0) repo = repo.slice(0, at);
  const lastSlash = repo.lastIndexOf("/");
  const colon = repo.indexOf(":", lastSlash + 1);
  if (colon >= 0) repo = repo.slice(0, colon);
  if (!REPOSITORY.test(repo)) return { problem: "is not an image repository name (expected e.g. python, org/app or registry.example:5000/org/app)" };
  const parts = repo.split("/");
  const first = parts[0] as string;
  const forms = new Set([repo]);
  if (parts.length === 1) forms.add(`docker.io/library/${repo}`);
  else if (!isRegistryHost(first)) forms.add(`docker.io/${repo}`);
  else if (first === "docker.io" || first === "index.docker.io") {
    const rest = parts.slice(1).join("/");
    forms.add(rest.startsWith("library/") && parts.length === 3 ? rest.slice("library/".length) : rest);
    if (first === "index.docker.io") forms.add(`docker.io/${rest}`);
  }
  return { forms: [...forms].sort() };
}

// ---------------------------------------------------------------------------------------------
// What each rule allows

/** Accesses that open a file for writing (open/openat/openat2 with a write flag, or O_CREAT). */
const WRITE_ACCESS = {
  read: false,
  write: true,
  append: true,
  create: true,
  delete: false,
  exec: false,
  map: false,
  link: false,
  lock: false,
  stat: false,
} as const satisfies Record<FileAccess, boolean>;

/**
 * A generalized path as a Falco `glob` pattern, or undefined for a literal path. Falco's glob is
 * fnmatch(3) without FNM_PATHNAME, so `*` also matches `/`, while the model's glob stands for the
 * characters of one segment: the caller restores that with the slash count (see the write-globs
 * macro). Literal `* ? [ ] \` are backslash-escaped (fnmatch reads escapes: flags 0).
 */
function fnmatchPattern(f: FileUse): string | undefined {
  const pieces = pathPieces(f);
  if (!pieces.some((piece) => piece.kind === "glob")) return undefined;
  return pieces.map((piece) => (piece.kind === "glob" ? "*" : piece.text.replace(/[*?[\]\\]/g, (c) => `\\${c}`))).join("");
}

interface Counted {
  runs: number;
}

interface ListItem {
  /** The YAML item: a quoted literal, a port number, or an event name. */
  value: string | number;
  /** In how many runs it was seen; undefined when not from a trace. */
  runs?: number;
  /** The value before quoting, when it came from the input (a path, an image). */
  source?: string;
}

interface WriteGlob extends Counted {
  pattern: string;
  /** `/` characters in the pattern: a match with more crossed a directory where AppArmor's `*` would not. */
  slashes: number;
  path: string;
}

/** What each executable may do; `""` stands for any process (the trace did not show the program or parent). */
interface ProcessPlan {
  /** parent executable -> programs it may start */
  spawns: Map<string, Set<string>>;
  writes: Map<string, { literals: Set<string>; globs: Map<string, WriteGlob> }>;
  /** exe -> port -> addresses */
  connects: Map<string, Map<number, Set<string>>>;
  accepts: Map<string, Set<number>>;
  listens: Map<string, Set<number>>;
}

interface ContainerPlan {
  source: FalcoContainer;
  id: string;
  scope: FalcoScope;
  /** Set when scope is `process`. */
  processes: ProcessPlan | undefined;
  /** TCP ports connections were accepted on (image scope), from every process. */
  acceptPorts: Set<number>;
  images: string[];
  execs: Map<string, number>;
  writes: Map<string, number>;
  writeGlobs: WriteGlob[];
  /** port -> addresses (sorted later) */
  connects: Map<number, Map<string, number>>;
  listens: Map<number, number>;
  unixEndpoints: number;
  /** Falco events of the allowed syscalls, and the allowed syscalls Falco has no event for. */
  syscallEvents: Set<string>;
  syscallsWithoutEvent: string[];
}

function bump<K>(m: Map<K, number>, key: K, runs: number): void {
  m.set(key, Math.max(m.get(key) ?? 0, runs));
}

function ipLiteralProblem(address: string): string | undefined {
  if (address.includes("%")) return "has a zone index (%), which Falco's address parser does not read";
  if (isIP(address) === 0) return "is not an IPv4 or IPv6 address";
  return undefined;
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`: libs turns v4-mapped IPv6 sockets into IPv4 ones, and sysdig reads such literals as bad IPv4. */
function canonicalIp(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

function isInet(ep: EndpointUse): boolean {
  return ep.family === "inet" || ep.family === "inet6";
}

function planContainer(c: FalcoContainer, id: string, problems: FalcoProblem[], options: FalcoRulesOptions): ContainerPlan {
  const problem = (code: FalcoProblemCode, what: string, value: string, reason: string, item?: object): void => {
    problems.push({ code, container: c.name, what, value, reason, ...(item ? { item } : {}) });
  };
  const checkLiteral = (what: string, value: string): boolean => {
    const reason = falcoStringProblem(value);
    if (reason !== undefined) problem("SC_FALCO_VALUE", what, value, reason);
    return reason === undefined;
  };

  const images = new Set<string>();
  if (c.images.length === 0) problem("SC_FALCO_IMAGE", "image", "", "no images configured: the rules are scoped by container.image.repository and would never fire");
  for (const image of c.images) {
    const r = imageRepositoryForms(image);
    if ("problem" in r) problem("SC_FALCO_IMAGE", "image", image, r.problem);
    else for (const f of r.forms) if (checkLiteral("image", f)) images.add(f);
  }

  const execs = new Map<string, number>();
  for (const e of c.resources.execs) if (checkLiteral("exec", e.path)) bump(execs, e.path, e.runs);

  const writes = new Map<string, number>();
  const globs = new Map<string, WriteGlob>();
  for (const f of c.resources.files) {
    if (f.dir || !f.access.some((a) => WRITE_ACCESS[a])) continue;
    if (!checkLiteral("file", f.path)) continue;
    const pattern = fnmatchPattern(f);
    if (pattern === undefined) {
      bump(writes, f.path, f.runs);
      continue;
    }
    const patternProblem = falcoStringProblem(pattern);
    if (patternProblem !== undefined) {
      // Reported by the file's path, so a caller can leave that file out.
      problem("SC_FALCO_VALUE", "file", f.path, `as the glob pattern ${JSON.stringify(pattern)}, ${patternProblem}`);
      continue;
    }
    const prev = globs.get(pattern);
    globs.set(pattern, { pattern, slashes: [...pattern].filter((ch) => ch === "/").length, path: f.path, runs: Math.max(prev?.runs ?? 0, f.runs) });
  }

  const connects = new Map<number, Map<string, number>>();
  let unixEndpoints = 0;
  const checkPort = (what: string, ep: EndpointUse): ep is EndpointUse & { port: number } => {
    if (ep.port !== undefined && Number.isInteger(ep.port) && ep.port >= 0 && ep.port <= 65535) return true;
    problem("SC_FALCO_VALUE", what, `${ep.address} port ${String(ep.port)}`, "an inet endpoint needs a port from 0 to 65535", ep);
    return false;
  };
  for (const ep of c.resources.connects) {
    if (!isInet(ep)) {
      unixEndpoints++;
      continue;
    }
    const reason = ipLiteralProblem(ep.address);
    if (reason !== undefined) {
      problem("SC_FALCO_VALUE", "connect", ep.address, reason, ep);
      continue;
    }
    if (!checkPort("connect", ep)) continue;
    const ip = canonicalIp(ep.address);
    let byIp = connects.get(ep.port);
    if (!byIp) connects.set(ep.port, (byIp = new Map()));
    bump(byIp, ip, ep.runs);
  }

  const listens = new Map<number, number>();
  for (const ep of c.resources.listens) {
    // The rule watches listen(2): TCP only. A UDP socket that bound never calls it.
    if (!isInet(ep) || ep.proto === "udp") continue;
    if (checkPort("listen", ep)) bump(listens, ep.port, ep.runs);
  }

  const syscallEvents = new Set<string>();
  const syscallsWithoutEvent: string[] = [];
  const table: Readonly<Record<string, { event: string } | undefined>> = FALCO_SYSCALL_EVENTS;
  for (const s of new Set(c.syscalls)) {
    const info = Object.hasOwn(table, s) ? table[s] : undefined;
    if (info) syscallEvents.add(info.event);
    else syscallsWithoutEvent.push(s);
  }
  syscallsWithoutEvent.sort();

  const scope: FalcoScope = options.scope ?? c.scope ?? (c.resources.processes !== undefined ? "process" : "image");
  const acceptPorts = new Set<number>(listens.keys());
  let processes: ProcessPlan | undefined;
  if (scope === "process") processes = planProcesses(c, checkLiteral, checkPort);
  for (const pr of c.resources.processes ?? []) for (const ep of pr.accepts) if (isInet(ep) && ep.proto !== "udp" && ep.port !== undefined && ep.port >= 0 && ep.port <= 65535) acceptPorts.add(ep.port);

  return {
    source: c,
    id,
    scope,
    processes,
    acceptPorts,
    images: [...images].sort(),
    execs,
    writes,
    writeGlobs: [...globs.values()].sort((a, b) => cmp(a.pattern, b.pattern)),
    connects,
    listens,
    unixEndpoints,
    syscallEvents,
    syscallsWithoutEvent,
  };
}

function planProcesses(
  c: FalcoContainer,
  checkLiteral: (what: string, value: string) => boolean,
  checkPort: (what: string, ep: EndpointUse) => ep is EndpointUse & { port: number },
): ProcessPlan {
  const plan: ProcessPlan = { spawns: new Map(), writes: new Map(), connects: new Map(), accepts: new Map(), listens: new Map() };
  const entry = <V>(m: Map<string, V>, key: string, make: () => V): V => {
    let v = m.get(key);
    if (v === undefined) m.set(key, (v = make()));
    return v;
  };
  const fileEntries = new Map(c.resources.files.map((f) => [`${f.glob ? "g" : "l"}${f.path}`, f]));
  for (const pr of c.resources.processes ?? []) {
    if (pr.exe !== "" && !checkLiteral("exec", pr.exe)) continue;
    for (const child of pr.spawns) if (checkLiteral("exec", child)) entry(plan.spawns, pr.exe, () => new Set<string>()).add(child);
    for (const w of pr.writes) {
      const f: FileUse = fileEntries.get(`${w.glob ? "g" : "l"}${w.path}`) ?? { path: w.path, access: ["write"], dir: false, ...(w.glob ? { glob: true as const, generalizedBy: "?" } : {}) };
      if (f.dir || !checkLiteral("file", f.path)) continue;
      const mine = entry(plan.writes, pr.exe, () => ({ literals: new Set<string>(), globs: new Map<string, WriteGlob>() }));
      const pattern = fnmatchPattern(f);
      if (pattern === undefined) mine.literals.add(f.path);
      else if (falcoStringProblem(pattern) === undefined) mine.globs.set(pattern, { pattern, slashes: [...pattern].filter((ch) => ch === "/").length, path: f.path, runs: 0 });
      // A pattern Falco cannot hold was reported by planContainer for the file's path.
    }
    for (const ep of pr.connects) {
      // Problems with these values are reported once, by planContainer, from the container's connects.
      if (!isInet(ep) || ipLiteralProblem(ep.address) !== undefined || ep.port === undefined || !Number.isInteger(ep.port) || ep.port < 0 || ep.port > 65535) continue;
      const byPort = entry(plan.connects, pr.exe, () => new Map<number, Set<string>>());
      let ips = byPort.get(ep.port);
      if (!ips) byPort.set(ep.port, (ips = new Set()));
      ips.add(canonicalIp(ep.address));
    }
    for (const [into, from] of [[plan.accepts, pr.accepts], [plan.listens, pr.listens]] as const) {
      for (const ep of from) {
        // accept(2) and listen(2) are TCP only.
        if (!isInet(ep) || ep.proto === "udp" || !checkPort(into === plan.accepts ? "accept" : "listen", ep)) continue;
        entry(into, pr.exe, () => new Set<number>()).add(ep.port);
      }
    }
  }
  return plan;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Rendering

type Item = { kind: "list"; name: string; items: ListItem[] } | { kind: "yaml"; value: Record<string, unknown> } | { kind: "comment"; text: string };

/**
 * Printed, so Falco passes them in each alert's output fields: k8s.ns.name and k8s.pod.name are
 * what Falco Talon's kubernetes actionners act on (the optional response, emit/falco-talon.ts).
 */
const OUTPUT_TAIL =
  "evt_type=%evt.type user=%user.name user_uid=%user.uid process=%proc.name proc_exepath=%proc.exepath parent=%proc.pname command=%proc.cmdline container_id=%container.id container_name=%container.name image=%container.image.repository k8s_ns=%k8s.ns.name k8s_pod=%k8s.pod.name";

function scalar(v: string | number): string {
  return yaml.dump(v, { flowLevel: 0, lineWidth: -1, noRefs: true }).trimEnd();
}

/** Lists by hand, to say per item in how many runs it was seen; everything else through js-yaml. */
function renderItem(item: Item, totalRuns: number): string {
  switch (item.kind) {
    case "comment":
      return item.text
        .split("\n")
        .map((l) => `# ${l}`.trimEnd())
        .join("\n");
    case "list": {
      const lines = [`- list: ${item.name}`, "  items:"];
      for (const it of item.items) {
        const note = it.runs !== undefined && it.runs < totalRuns ? `  # seen in ${it.runs} of ${totalRuns} runs` : "";
        lines.push(`    - ${scalar(it.value)}${note}`);
      }
      return lines.join("\n");
    }
    case "yaml":
      return yaml.dump([item.value], { lineWidth: -1, noRefs: true }).trimEnd();
  }
}

function joinClauses(clauses: readonly string[]): string {
  return clauses.join("\nand ");
}

/** Clauses that are each parenthesized, or-ed, in parentheses when there are several. */
function anyOf(clauses: readonly string[]): string {
  return clauses.length === 1 ? (clauses[0] as string) : `(${clauses.join("\nor ")})`;
}

function rule(fields: { rule: string; desc: string; condition: string; output: string; priority: string; tags: string[]; enabled?: boolean; warnEvttypes?: boolean }): Item {
  const value: Record<string, unknown> = { rule: fields.rule, desc: fields.desc, condition: fields.condition, output: fields.output, priority: fields.priority, tags: fields.tags };
  if (fields.enabled !== undefined) value.enabled = fields.enabled;
  if (fields.warnEvttypes !== undefined) value.warn_evttypes = fields.warnEvttypes;
  return { kind: "yaml", value };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function containerItems(p: ContainerPlan, options: FalcoRulesOptions): { items: Item[]; lists: string[] } {
  const { id } = p;
  const n = `syscage_${id}`;
  const N = p.source.runs;
  const items: Item[] = [];
  const lists: string[] = [];
  const quoted = (values: Map<string, number>): ListItem[] =>
    [...values.entries()].sort((a, b) => cmp(a[0], b[0])).map(([v, runs]) => ({ value: quoteFalcoString(v), source: v, runs }));
  const addList = (name: string, listItems: ListItem[]): void => {
    items.push({ kind: "list", name, items: listItems });
    lists.push(name);
  };
  const tags = (area: string): string[] => ["syscage", "drift", "container", area, n];
  const runsText = `${plural(N, "recorded run")} of container ${id}`;

  items.push({ kind: "comment", text: `Container ${id}: ${plural(N, "recorded run")}; images ${p.images.join(", ")}.` });
  addList(`${n}_images`, p.images.map((i) => ({ value: quoteFalcoString(i), source: i })));
  const scope = `${n}_container`;
  items.push({ kind: "yaml", value: { macro: scope, condition: `(container.image.repository in (${n}_images))` } });

  const pr = p.processes;
  const q = quoteFalcoString;
  /** `proc.exepath = "X"` for an executable, nothing for `""` (any process). */
  const byExe = (exe: string): string[] => (exe === "" ? [] : [`proc.exepath = ${q(exe)}`]);
  const term = (parts: readonly string[]): string => (parts.length === 1 ? (parts[0] as string) : `(${parts.join(" and ")})`);
  const addMacro = (name: string, terms: readonly string[], into: string[]): void => {
    if (terms.length === 0) return;
    items.push({ kind: "yaml", value: { macro: name, condition: anyOf(terms) } });
    into.push(`not ${name}`);
  };
  const sortedKeys = <V>(m: Map<string, V>): [string, V][] => [...m.entries()].sort((x, y) => cmp(x[0], y[0]));
  const sortedNums = (ns: Iterable<number>): number[] => [...ns].sort((x, y) => x - y);
  const scopeText =
    pr !== undefined
      ? " Scoped by process: each item is allowed only for the executable (proc.exepath) recorded doing it; items of processes whose program the trace did not show are allowed for any process."
      : "";

  // Programs.
  const spawn = ["evt.type in (execve, execveat)", scope];
  let spawnPairs = 0;
  if (pr !== undefined) {
    const terms = sortedKeys(pr.spawns).map(([parent, children]) => {
      spawnPairs += children.size;
      const list = `proc.exepath in (${[...children].sort(cmp).map(q).join(", ")})`;
      return parent === "" ? list : term([`proc.pexepath = ${q(parent)}`, list]);
    });
    addMacro(`${n}_process_spawns`, terms, spawn);
  } else if (p.execs.size > 0) {
    addList(`${n}_exec_paths`, quoted(p.execs));
    spawn.push(`not proc.exepath in (${n}_exec_paths)`);
  }
  items.push(
    rule({
      rule: `syscage ${id}: process spawned that was not recorded`,
      desc:
        (pr !== undefined
          ? `A program was executed in a container of image ${p.images.join(" or ")} by a process whose parent none of the ${runsText} saw starting it ` +
            `(${plural(spawnPairs, "recorded parent and program pair")}; proc.pexepath is the executable of the process's parent; programs whose parent the trace did not show, such as the container's command, may be started by any process). `
          : `A program was executed in a container of image ${p.images.join(" or ")} that none of the ${runsText} executed ` + `(${plural(p.execs.size, "recorded program")}). `) +
        "proc.exepath is the executable's path as Falco resolves it; " +
        "strace records the path execve was given, so a program reached through a symlink, or a script (whose process is its interpreter), " +
        "may need the real executable appended.",
      condition: joinClauses(spawn),
      output: `Process spawned that syscage did not record for ${id} | ${OUTPUT_TAIL}`,
      priority: "WARNING",
      tags: tags("process"),
    }),
  );

  // Files opened for writing.
  const open = ["evt.type in (open, openat, openat2)", "evt.is_open_write=true", "fd.typechar='f'", "fd.num>=0", scope];
  // `*` of a generalized path stands for one path component: fnmatch's `*` crosses `/`, so a match
  // must also have no more `/` than the pattern (it fails the glob of N+1 slashes).
  const globClause = (g: WriteGlob): string[] => [`fd.name glob ${q(g.pattern)}`, `not fd.name glob ${q(`${"*/".repeat(g.slashes + 1)}*`)}`];
  let writeCount = p.writes.size + p.writeGlobs.length;
  let globCount = p.writeGlobs.length;
  if (pr !== undefined) {
    writeCount = 0;
    globCount = 0;
    const terms: string[] = [];
    for (const [exe, w] of sortedKeys(pr.writes)) {
      writeCount += w.literals.size + w.globs.size;
      globCount += w.globs.size;
      if (w.literals.size > 0) terms.push(term([...byExe(exe), `fd.name in (${[...w.literals].sort(cmp).map(q).join(", ")})`]));
      for (const [, g] of sortedKeys(w.globs)) terms.push(term([...byExe(exe), ...globClause(g)]));
    }
    addMacro(`${n}_process_writes`, terms, open);
  } else {
    if (p.writes.size > 0) {
      addList(`${n}_write_paths`, quoted(p.writes));
      open.push(`not fd.name in (${n}_write_paths)`);
    }
    if (p.writeGlobs.length > 0) {
      items.push({ kind: "yaml", value: { macro: `${n}_write_globs`, condition: anyOf(p.writeGlobs.map((g) => `(${globClause(g).join(" and ")})`)) } });
      open.push(`not ${n}_write_globs`);
    }
  }
  items.push(
    rule({
      rule: `syscage ${id}: file opened for writing outside the recorded write set`,
      desc:
        `A file was opened for writing in a container of image ${p.images.join(" or ")} that none of the ${runsText} wrote ` +
        `(${plural(writeCount, "recorded path")}${globCount > 0 ? `, ${globCount} of them generalized, where * stands for one path component` : ""}). ` +
        "Like upstream's open_write macro it watches successful open, openat and openat2 calls on regular files." +
        scopeText,
      condition: joinClauses(open),
      output: `File opened for writing that syscage did not record for ${id} | file=%fd.name flags=%evt.arg.flags ${OUTPUT_TAIL}`,
      priority: "NOTICE",
      tags: tags("filesystem"),
    }),
  );

  // Outbound connections.
  const connect = ["evt.type=connect", "fd.typechar in (4, 6)", scope];
  let pairs = 0;
  const connectTerm = (exe: string, port: number, ips: Iterable<string>): string => {
    const sorted = [...ips].sort(cmp);
    pairs += sorted.length;
    return term([...byExe(exe), `fd.sport=${port}`, `fd.sip in (${sorted.map(q).join(", ")})`]);
  };
  if (pr !== undefined) {
    const terms: string[] = [];
    for (const [exe, byPort] of sortedKeys(pr.connects)) for (const port of sortedNums(byPort.keys())) terms.push(connectTerm(exe, port, byPort.get(port) as Set<string>));
    addMacro(`${n}_process_connections`, terms, connect);
  } else if (p.connects.size > 0) {
    const terms = [...p.connects.entries()].sort((x, y) => x[0] - y[0]).map(([port, ips]) => connectTerm("", port, ips.keys()));
    items.push({ kind: "yaml", value: { macro: `${n}_recorded_connections`, condition: anyOf(terms.map((t) => (t.startsWith("(") ? t : `(${t})`))) } });
    connect.push(`not ${n}_recorded_connections`);
  }
  items.push(
    rule({
      rule: `syscage ${id}: outbound connection that was not recorded`,
      desc:
        `A TCP or UDP socket was connected in a container of image ${p.images.join(" or ")} to an address and port that none of the ${runsText} connected to ` +
        `(${plural(pairs, "recorded destination")}). The result is not checked: an attempt a network policy blocked is drift too. ` +
        "Addresses are the IPs recorded: a service whose address changes must be appended." +
        (p.unixEndpoints > 0 ? ` Unix socket connections (${p.unixEndpoints} recorded) are not watched.` : "") +
        scopeText,
      condition: joinClauses(connect),
      output: `Outbound connection that syscage did not record for ${id} | connection=%fd.name server_ip=%fd.sip server_port=%fd.sport proto=%fd.l4proto ${OUTPUT_TAIL}`,
      priority: "NOTICE",
      tags: tags("network"),
    }),
  );

  // Inbound connections and listening ports: the same shape, by local (server) port.
  const portTerms = (m: Map<string, Set<number>>): string[] => sortedKeys(m).map(([exe, ports]) => term([...byExe(exe), `fd.sport in (${sortedNums(ports).join(", ")})`]));
  const countPorts = (m: Map<string, Set<number>>): number => [...m.values()].reduce((k, ports) => k + ports.size, 0);

  const accept = ["evt.type in (accept, accept4)", "fd.typechar in (4, 6)", scope];
  if (pr !== undefined) addMacro(`${n}_process_accepts`, portTerms(pr.accepts), accept);
  else if (p.acceptPorts.size > 0) {
    addList(`${n}_accept_ports`, sortedNums(p.acceptPorts).map((port) => ({ value: port })));
    accept.push(`not fd.sport in (${n}_accept_ports)`);
  }
  items.push(
    rule({
      rule: `syscage ${id}: inbound connection accepted that was not recorded`,
      desc:
        `A TCP connection was accepted in a container of image ${p.images.join(" or ")} on a local port on which none of the ${runsText} accepted one ` +
        `(${plural(pr !== undefined ? countPorts(pr.accepts) : p.acceptPorts.size, "recorded port")}${pr !== undefined ? "" : ", with every recorded listening port"}). ` +
        "fd.sport of an accepted socket is the local port." +
        scopeText,
      condition: joinClauses(accept),
      output: `Inbound connection that syscage did not record for ${id} | connection=%fd.name client_ip=%fd.cip port=%fd.sport proto=%fd.l4proto ${OUTPUT_TAIL}`,
      priority: "NOTICE",
      tags: tags("network"),
    }),
  );

  const listen = ["evt.type=listen", "fd.typechar in (4, 6)", scope];
  if (pr !== undefined) addMacro(`${n}_process_listens`, portTerms(pr.listens), listen);
  else if (p.listens.size > 0) {
    addList(
      `${n}_listen_ports`,
      [...p.listens.entries()].sort((a, b) => a[0] - b[0]).map(([port, runs]) => ({ value: port, runs })),
    );
    listen.push(`not fd.sport in (${n}_listen_ports)`);
  }
  items.push(
    rule({
      rule: `syscage ${id}: listening port that was not recorded`,
      desc:
        `A socket started listening in a container of image ${p.images.join(" or ")} on a port that none of the ${runsText} listened on ` +
        `(${plural(pr !== undefined ? countPorts(pr.listens) : p.listens.size, "recorded port")}).` +
        scopeText,
      condition: joinClauses(listen),
      output: `Listening port that syscage did not record for ${id} | port=%fd.sport proto=%fd.l4proto ${OUTPUT_TAIL}`,
      priority: "WARNING",
      tags: tags("network"),
    }),
  );

  if (options.syscallRule === true) {
    // The complement of the allowed events, not `not evt.type in (allowed)`: a positive event set
    // keeps Falco's per-event-type index working and never matches non-syscall events (procexit,
    // container, plugin events). Still several hundred types: hence disabled.
    const all = new Set<string>(Object.values(FALCO_SYSCALL_EVENTS).map((e) => e.event));
    const unrecorded = [...all].filter((e) => !p.syscallEvents.has(e)).sort(cmp);
    const without = p.syscallsWithoutEvent;
    if (unrecorded.length > 0) {
      addList(`${n}_unrecorded_syscall_events`, unrecorded.map((e) => ({ value: e })));
      items.push(
        rule({
          rule: `syscage ${id}: syscall that was not recorded`,
          desc:
            `A syscall was made in a container of image ${p.images.join(" or ")} that is not in the container's allowlist ` +
            `(${plural(p.syscallEvents.size, "allowed Falco event")} from the recorded syscalls and baselines). Disabled by default: it matches ` +
            `${unrecorded.length} event types, far over the 100 above which Falco warns that a rule "matches too many evt.type values" ` +
            "with a significant performance penalty, and it makes Falco capture every syscall. The seccomp profile already enforces this set in the kernel; " +
            "enable this rule only to audit. Events of read/write-family syscalls arrive only when Falco runs with -A." +
            (without.length > 0 ? ` Allowed syscalls with no Falco event, so not expressible: ${without.join(", ")}.` : ""),
          condition: joinClauses([`evt.type in (${n}_unrecorded_syscall_events)`, scope]),
          output: `Syscall that syscage did not record for ${id} | syscall=%evt.type ${OUTPUT_TAIL}`,
          priority: "NOTICE",
          tags: tags("syscall"),
          enabled: false,
          // Falco compiles disabled rules too and warns about more than 100 event types
          // (rule_loader_compiler.cpp, LOAD_NO_EVTTYPE) unless the rule says it knows.
          warnEvttypes: false,
        }),
      );
    }
  }
  return { items, lists };
}

const HEADER = `Falco drift rules generated by syscage from recorded strace runs; regenerate, do not edit.
Per container, rules alert on what none of its recorded runs did: spawning a program, opening a file
for writing, connecting to an address, accepting a connection or listening on a port. Scoped by
process (the default where the runs recorded processes), each recorded pair is one term of a
syscage_NAME_process_* macro; scoped by image (scope: image), lists hold what any process may do.
Extend them from a rules file loaded after this one (values are double-quoted filter literals;
escape \\ and " inside them):
  - macro: syscage_NAME_process_spawns
    condition: or (proc.pexepath = "/usr/bin/python3" and proc.exepath in ("/usr/bin/git"))
    override: {condition: append}
  - list: syscage_NAME_exec_paths
    items: ['"/usr/local/bin/extra"']
    override: {items: append}
required_engine_version ${FALCO_REQUIRED_ENGINE_VERSION} is the engine of Falco 0.42, the oldest release these rules are right
for: the conditions omit evt.dir (Falco 0.42 stopped sending enter events) and take container.*
from the container plugin. (Falco 0.43 has engine 0.58.0, Falco 0.44 has 0.62.0.)`;

/**
 * Every value the emitter would reject, for all containers together (a container's list names can
 * break another's literals); empty when `emitFalcoRules` with the same options succeeds. Leaving
 * out the values named here (by `value`) makes it succeed: dropping values never adds a list name.
 */
export function findFalcoProblems(containers: readonly FalcoContainer[], options: FalcoRulesOptions = {}): FalcoProblem[] {
  return planAll(containers, options).problems;
}

function planAll(containers: readonly FalcoContainer[], options: FalcoRulesOptions): { problems: FalcoProblem[]; perContainer: PlannedItems[] } {
  const problems: FalcoProblem[] = [];
  const byId = new Map<string, string>();
  const plans: ContainerPlan[] = [];
  for (const c of containers) {
    const id = falcoIdentifier(c.name);
    const other = byId.get(id);
    if (!IDENTIFIER.test(`syscage_${id}`) || id === "") {
      problems.push({ code: "SC_FALCO_NAME", container: c.name, what: "container name", value: c.name, reason: "has no letter or digit to name its rules by" });
      continue;
    }
    if (other !== undefined) {
      problems.push({ code: "SC_FALCO_NAME", container: c.name, what: "container name", value: c.name, reason: `names its rules syscage_${id}_..., like container ${JSON.stringify(other)}` });
      continue;
    }
    byId.set(id, c.name);
    plans.push(planContainer(c, id, problems, options));
  }
  plans.sort((a, b) => cmp(a.id, b.id));
  const perContainer = plans.map((p) => ({ p, ...containerItems(p, options) }));
  for (const p of embeddedListNames(perContainer)) problems.push(p);
  return { problems, perContainer };
}

interface PlannedItems {
  p: ContainerPlan;
  items: Item[];
  lists: string[];
}

/** Literals that Falco's textual list expansion would break open (see LIST_NAME_DELIMITERS), by the value they came from. */
function embeddedListNames(perContainer: readonly PlannedItems[]): FalcoProblem[] {
  const listNames = perContainer.flatMap((c) => c.lists);
  const found: FalcoProblem[] = [];
  for (const { p, items } of perContainer) {
    const globPaths = new Map(p.writeGlobs.map((g) => [quoteFalcoString(g.pattern), g.path]));
    const check = (what: string, literal: string, value: string, code: FalcoProblemCode = "SC_FALCO_VALUE"): void => {
      const name = embedsListName(literal, listNames);
      if (name !== undefined) {
        found.push({ code, container: p.source.name, what, value, reason: `holds the list name ${name} as a word, which Falco would expand inside the quotes` });
      }
    };
    for (const it of items) {
      if (it.kind === "list") {
        const image = it.name.endsWith("_images");
        for (const li of it.items) if (typeof li.value === "string") check(image ? "image" : `${it.name} item`, li.value, li.source ?? li.value, image ? "SC_FALCO_IMAGE" : "SC_FALCO_VALUE");
      }
      if (it.kind === "yaml" && typeof it.value.condition === "string") {
        for (const m of it.value.condition.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
          const path = globPaths.get(m[0]);
          check(path !== undefined ? "file" : `${String(it.value.macro ?? it.value.rule)} literal`, m[0], path ?? m[0]);
        }
      }
    }
  }
  return found;
}

/**
 * A Falco rules file with drift rules for each container. Pure and deterministic (containers in
 * name order, values sorted). Throws FalcoEmitError listing every value it cannot represent.
 */
export function emitFalcoRules(containers: readonly FalcoContainer[], options: FalcoRulesOptions = {}): string {
  const { problems, perContainer } = planAll(containers, options);
  if (problems.length > 0) throw new FalcoEmitError(problems);
  const names = new Set<string>();
  for (const { items } of perContainer) {
    for (const it of items) {
      const name = it.kind === "list" ? it.name : it.kind === "yaml" ? (it.value.macro ?? it.value.rule) : undefined;
      if (typeof name !== "string") continue;
      if (names.has(name)) throw new Error(`bug: two items named ${name}`);
      names.add(name);
    }
  }

  const head: Item[] = [
    { kind: "comment", text: HEADER },
    { kind: "yaml", value: { required_engine_version: FALCO_REQUIRED_ENGINE_VERSION } },
    { kind: "yaml", value: { required_plugin_versions: [{ ...FALCO_CONTAINER_PLUGIN }] } },
  ];
  const blocks: string[] = head.map((it) => renderItem(it, 0));
  for (const { p, items } of perContainer) {
    let pendingComment: string | undefined;
    for (const it of items) {
      const text = renderItem(it, p.source.runs);
      if (it.kind === "comment") pendingComment = text;
      else {
        blocks.push(pendingComment === undefined ? text : `${pendingComment}\n${text}`);
        pendingComment = undefined;
      }
    }
  }
  return `${blocks.join("\n\n")}\n`;
}
