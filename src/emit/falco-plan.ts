// The plan of a container's Falco rules: from its resources, what each rule allows (programs spawned,
// files written, connections, accepted and listening ports, syscall events), per process or per
// image, with every value checked as a literal first. Rendering is falco-render.ts's.

import { isIP } from "node:net";
import { FALCO_SYSCALL_EVENTS } from "../model/falco-events.generated.js";
import { pathPieces } from "../model/path-pattern.js";
import type { EndpointUse, FileAccess, FileUse } from "../model/resources.js";
import type { FalcoContainer, FalcoProblem, FalcoProblemCode, FalcoRulesOptions, FalcoScope } from "./falco.js";
import { imageRepositoryForms } from "./falco-images.js";
import { falcoStringProblem } from "./falco-literals.js";

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

export interface ListItem {
  /** The YAML item: a quoted literal, a port number, or an event name. */
  value: string | number;
  /** In how many runs it was seen; undefined when not from a trace. */
  runs?: number;
  /** The value before quoting, when it came from the input (a path, an image). */
  source?: string;
}

export interface WriteGlob extends Counted {
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

export interface ContainerPlan {
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

export function planContainer(c: FalcoContainer, id: string, problems: FalcoProblem[], options: FalcoRulesOptions): ContainerPlan {
  const problem = (code: FalcoProblemCode, what: string, value: string, reason: string, item?: object): void => {
    problems.push({ code, container: c.name, what, value, reason, ...(item ? { item } : {}) });
  };
  const checkLiteral = (what: string, value: string): boolean => {
    const reason = falcoStringProblem(value);
    if (reason !== undefined) problem("SC_FALCO_VALUE", what, value, reason);
    return reason === undefined;
  };

  const images = new Set<string>();
  if (c.images.length === 0)
    problem("SC_FALCO_IMAGE", "image", "", "no images configured: the rules are scoped by container.image.repository and would never fire");
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
  for (const pr of c.resources.processes ?? [])
    for (const ep of pr.accepts) if (isInet(ep) && ep.proto !== "udp" && ep.port !== undefined && ep.port >= 0 && ep.port <= 65535) acceptPorts.add(ep.port);

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
      const f: FileUse = fileEntries.get(`${w.glob ? "g" : "l"}${w.path}`) ?? {
        path: w.path,
        access: ["write"],
        dir: false,
        ...(w.glob ? { glob: true as const, generalizedBy: "?" } : {}),
      };
      if (f.dir || !checkLiteral("file", f.path)) continue;
      const mine = entry(plan.writes, pr.exe, () => ({ literals: new Set<string>(), globs: new Map<string, WriteGlob>() }));
      const pattern = fnmatchPattern(f);
      if (pattern === undefined) mine.literals.add(f.path);
      else if (falcoStringProblem(pattern) === undefined)
        mine.globs.set(pattern, { pattern, slashes: [...pattern].filter((ch) => ch === "/").length, path: f.path, runs: 0 });
      // A pattern Falco cannot hold was reported by planContainer for the file's path.
    }
    for (const ep of pr.connects) {
      // Problems with these values are reported once, by planContainer, from the container's connects.
      if (!isInet(ep) || ipLiteralProblem(ep.address) !== undefined || ep.port === undefined || !Number.isInteger(ep.port) || ep.port < 0 || ep.port > 65535)
        continue;
      const byPort = entry(plan.connects, pr.exe, () => new Map<number, Set<string>>());
      let ips = byPort.get(ep.port);
      if (!ips) byPort.set(ep.port, (ips = new Set()));
      ips.add(canonicalIp(ep.address));
    }
    for (const [into, from] of [
      [plan.accepts, pr.accepts],
      [plan.listens, pr.listens],
    ] as const) {
      for (const ep of from) {
        // accept(2) and listen(2) are TCP only.
        if (!isInet(ep) || ep.proto === "udp" || !checkPort(into === plan.accepts ? "accept" : "listen", ep)) continue;
        entry(into, pr.exe, () => new Set<number>()).add(ep.port);
      }
    }
  }
  return plan;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
