import type { RunRecord } from "../model/allowlist.js";
import type { CapabilityUse, ContainerProcessUse, ContainerResources, EndpointUse, ExecUse, FileUse, RunResources, SocketUse } from "../model/resources.js";
import { generalizeBetweenRuns, generalizePaths, PATH_MAX, pathPieces, type GeneralizeOptions } from "./generalize.js";

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

  // Files: what differs between runs at the same place becomes a pattern first (generalize.ts,
  // rule between-runs), then the union is generalized, then each entry counts the runs whose paths
  // fall under it.
  const between = options.betweenRuns === false || all.length < 2 ? new Map<string, string>() : generalizeBetweenRuns(all.map((r) => r.files));
  const union = new Map<string, FileUse>();
  for (const res of all) {
    for (const original of res.files) {
      const pattern = original.glob ? undefined : between.get(original.path);
      const f: FileUse = pattern === undefined ? original : { ...original, path: pattern, glob: true, generalizedBy: "between-runs" };
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
    // A path counts for every entry that covers it: its literal entry and each pattern matching it
    // (taking only the first match left other entries "seen in 0 of N runs").
    const hit = new Set<number>();
    for (const f of res.files) {
      const i = f.glob ? undefined : literal.get(f.path);
      if (i !== undefined) hit.add(i);
      const text = f.glob
        ? pathPieces(f)
            .map((x) => (x.kind === "glob" ? "*" : x.text))
            .join("")
        : f.path;
      if (text.length <= PATH_MAX) for (const p of patterns) if (!hit.has(p.index) && p.re.test(text)) hit.add(p.index);
    }
    for (const i of hit) counts[i]!++;
  }
  const files = general.map((f, i) => ({ ...f, runs: counts[i]! }));
  /** The generalized entry a recorded path falls under (the entry itself when nothing generalized it). */
  const entryOf = (path: string): FileUse | undefined => {
    const i = literal.get(path) ?? patterns.find((p) => p.re.test(path))?.index;
    return i === undefined ? undefined : general[i];
  };

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
  const out: ContainerResources = {
    files,
    execs: execs.result(),
    sockets: sockets.result(),
    listens: listens.result(),
    connects: connects.result(),
    capabilities: caps.result(),
  };
  // Only when every run recorded its processes: a run from before (merged from an older allowlist)
  // did things no process is known for, which rules scoped by process would then flag.
  if (all.length > 0 && all.every((r) => r.processes !== undefined)) out.processes = aggregateProcesses(all, entryOf, endpointKey);
  return out;
}

/** Per executable, the union over the runs; written paths replaced by the generalized entries that cover them. */
function aggregateProcesses(
  all: readonly RunResources[],
  entryOf: (path: string) => FileUse | undefined,
  endpointKey: (e: EndpointUse) => string,
): ContainerProcessUse[] {
  const byExe = new Map<
    string,
    {
      spawns: Set<string>;
      writes: Map<string, { path: string; glob?: true }>;
      connects: Map<string, EndpointUse>;
      accepts: Map<string, EndpointUse>;
      listens: Map<string, EndpointUse>;
    }
  >();
  for (const res of all) {
    for (const p of res.processes ?? []) {
      let e = byExe.get(p.exe);
      if (!e) byExe.set(p.exe, (e = { spawns: new Set(), writes: new Map(), connects: new Map(), accepts: new Map(), listens: new Map() }));
      for (const s of p.spawns) e.spawns.add(s);
      for (const w of p.writes) {
        const f = entryOf(w);
        // Every written path is among the run's files, so an entry covers it; a hand-edited allowlist may not.
        const entry = f === undefined ? { path: w } : f.glob ? { path: f.path, glob: true as const } : { path: f.path };
        e.writes.set(`${entry.glob ? "g" : "l"}${entry.path}`, entry);
      }
      for (const [into, from] of [
        [e.connects, p.connects],
        [e.accepts, p.accepts],
        [e.listens, p.listens],
      ] as const)
        for (const ep of from) into.set(endpointKey(ep), ep);
    }
  }
  const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort(cmp).map((k) => m.get(k)!);
  return [...byExe.keys()].sort(cmp).map((exe) => {
    const e = byExe.get(exe)!;
    return {
      exe,
      spawns: [...e.spawns].sort(cmp),
      writes: sorted(e.writes),
      connects: sorted(e.connects),
      accepts: sorted(e.accepts),
      listens: sorted(e.listens),
    };
  });
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
    ...(r.processes === undefined
      ? {}
      : {
          processes: r.processes
            .filter((p) => !values.has(p.exe))
            .map((p) => ({
              ...p,
              spawns: p.spawns.filter((s) => !values.has(s)),
              writes: p.writes.filter(keep),
              connects: p.connects.filter(keep),
              accepts: p.accepts.filter(keep),
              listens: p.listens.filter(keep),
            })),
        }),
  };
}
