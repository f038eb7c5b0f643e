import type { RunRecord } from "../model/allowlist.js";
import type { CapabilityUse, ContainerResources, EndpointUse, ExecUse, FileUse, RunResources, SocketUse } from "../model/resources.js";
import { generalizePaths, pathPieces, type GeneralizeOptions } from "./generalize.js";

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A regular expression for a generalized path: a glob matches within one path segment. */
function matcherOf(f: FileUse): RegExp {
  const src = pathPieces(f)
    .map((p) => (p.kind === "glob" ? "[^/]*" : p.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${src}$`);
}

/** Counts, for keyed items, in how many runs each was seen; keeps the first value by run order. */
class SeenCounter<T> {
  private readonly items = new Map<string, { value: T; runs: number }>();
  addRun(values: T[], key: (v: T) => string): void {
    const seenHere = new Set<string>();
    for (const v of values) {
      const k = key(v);
      if (seenHere.has(k)) continue;
      seenHere.add(k);
      const e = this.items.get(k);
      if (e) e.runs++;
      else this.items.set(k, { value: v, runs: 1 });
    }
  }
  result(): (T & { runs: number })[] {
    return [...this.items.entries()].sort(([a], [b]) => cmp(a, b)).map(([, e]) => ({ ...e.value, runs: e.runs }));
  }
}

/**
 * A container's resources: every run's files (generalized together, so a rule such as many-files
 * sees all runs), programs, sockets, endpoints and capabilities, each with the number of runs that
 * used it. A pure function of the runs: order does not matter.
 */
export function aggregateResources(runs: RunRecord[], options: GeneralizeOptions = {}): ContainerResources {
  const withResources = [...runs].filter((r) => r.resources).sort((a, b) => cmp(a.id, b.id) || cmp(a.sha256, b.sha256));
  const all: RunResources[] = withResources.map((r) => r.resources as RunResources);

  // Files: generalize the union, then count the runs whose paths fall under each entry.
  const union = new Map<string, FileUse>();
  for (const res of all) {
    for (const f of res.files) {
      const key = `${f.glob ? "g" : "l"}${f.path}`;
      const prev = union.get(key);
      if (!prev) union.set(key, { ...f, access: [...f.access] });
      else {
        prev.access = [...new Set([...prev.access, ...f.access])];
        prev.dir ||= f.dir;
      }
    }
  }
  const general = generalizePaths([...union.values()], options);
  const literal = new Map<string, number>();
  const patterns: { index: number; re: RegExp }[] = [];
  general.forEach((f, i) => {
    if (f.glob) patterns.push({ index: i, re: matcherOf(f) });
    else literal.set(f.path, i);
  });
  const counts = new Array<number>(general.length).fill(0);
  for (const res of all) {
    const hit = new Set<number>();
    for (const f of res.files) {
      let i = f.glob ? undefined : literal.get(f.path);
      if (i === undefined) i = patterns.find((p) => p.re.test(f.glob ? pathPieces(f).map((x) => (x.kind === "glob" ? "*" : x.text)).join("") : f.path))?.index;
      if (i !== undefined) hit.add(i);
    }
    for (const i of hit) counts[i]!++;
  }
  const files = general.map((f, i) => ({ ...f, runs: counts[i]! }));

  const execs = new SeenCounter<ExecUse>();
  const sockets = new SeenCounter<SocketUse>();
  const listens = new SeenCounter<EndpointUse>();
  const connects = new SeenCounter<EndpointUse>();
  const caps = new SeenCounter<CapabilityUse>();
  const endpointKey = (e: EndpointUse) => `${e.family}\0${e.proto ?? ""}\0${e.address}\0${e.port ?? ""}`;
  for (const res of all) {
    execs.addRun(res.execs, (e) => `${e.path}\0${e.parent ?? ""}`);
    sockets.addRun(res.sockets, (s) => `${s.family}\0${s.type}\0${s.protocol ?? ""}`);
    listens.addRun(res.listens, endpointKey);
    connects.addRun(res.connects, endpointKey);
    caps.addRun(res.capabilities, (c) => c.name);
  }
  return { files, execs: execs.result(), sockets: sockets.result(), listens: listens.result(), connects: connects.result(), capabilities: caps.result() };
}

/**
 * How many runs the resources were learnt from: the N of "seen in k of N runs" in AppArmor and
 * Falco output. A run that is only a `-c` summary table shows no files or programs, so it does not
 * count: a program every traced run executed is not "seen in 4 of 5 runs" because of a table.
 */
export function runsWithResources(runs: readonly { resources?: unknown }[]): number {
  return runs.filter((r) => r.resources !== undefined).length;
}

/** The resources without any item that holds one of `values` (a path, address or parent a format rejected) or is one of `items` (a port, a socket kind). */
export function withoutValues(r: ContainerResources, values: ReadonlySet<string>, items: ReadonlySet<object> = new Set()): ContainerResources {
  const keep = (item: object) => !items.has(item) && !Object.values(item).some((v) => typeof v === "string" && values.has(v));
  return {
    files: r.files.filter(keep),
    execs: r.execs.filter(keep),
    sockets: r.sockets.filter(keep),
    listens: r.listens.filter(keep),
    connects: r.connects.filter(keep),
    capabilities: r.capabilities.filter(keep),
  };
}
