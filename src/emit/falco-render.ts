// Rendering a container's Falco plan (falco-plan.ts) into rules file items: its lists, macros and
// rules, and their YAML text (lists by hand, to note per item in how many runs it was seen).

import * as yaml from "js-yaml";
import { FALCO_SYSCALL_EVENTS } from "../model/falco-events.generated.js";
import type { FalcoRulesOptions } from "./falco.js";
import { quoteFalcoString } from "./falco-literals.js";
import { type ContainerPlan, cmp, type ListItem, type WriteGlob } from "./falco-plan.js";

export type Item = { kind: "list"; name: string; items: ListItem[] } | { kind: "yaml"; value: Record<string, unknown> } | { kind: "comment"; text: string };

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
export function renderItem(item: Item, totalRuns: number): string {
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

function rule(fields: {
  rule: string;
  desc: string;
  condition: string;
  output: string;
  priority: string;
  tags: string[];
  enabled?: boolean;
  warnEvttypes?: boolean;
}): Item {
  const value: Record<string, unknown> = {
    rule: fields.rule,
    desc: fields.desc,
    condition: fields.condition,
    output: fields.output,
    priority: fields.priority,
    tags: fields.tags,
  };
  if (fields.enabled !== undefined) value.enabled = fields.enabled;
  if (fields.warnEvttypes !== undefined) value.warn_evttypes = fields.warnEvttypes;
  return { kind: "yaml", value };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function containerItems(p: ContainerPlan, options: FalcoRulesOptions): { items: Item[]; lists: string[] } {
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
  addList(
    `${n}_images`,
    p.images.map((i) => ({ value: quoteFalcoString(i), source: i })),
  );
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
          : `A program was executed in a container of image ${p.images.join(" or ")} that none of the ${runsText} executed ` +
            `(${plural(p.execs.size, "recorded program")}). `) +
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
    for (const [exe, byPort] of sortedKeys(pr.connects))
      for (const port of sortedNums(byPort.keys())) terms.push(connectTerm(exe, port, byPort.get(port) as Set<string>));
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
  const portTerms = (m: Map<string, Set<number>>): string[] =>
    sortedKeys(m).map(([exe, ports]) => term([...byExe(exe), `fd.sport in (${sortedNums(ports).join(", ")})`]));
  const countPorts = (m: Map<string, Set<number>>): number => [...m.values()].reduce((k, ports) => k + ports.size, 0);

  const accept = ["evt.type in (accept, accept4)", "fd.typechar in (4, 6)", scope];
  if (pr !== undefined) addMacro(`${n}_process_accepts`, portTerms(pr.accepts), accept);
  else if (p.acceptPorts.size > 0) {
    addList(
      `${n}_accept_ports`,
      sortedNums(p.acceptPorts).map((port) => ({ value: port })),
    );
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
      addList(
        `${n}_unrecorded_syscall_events`,
        unrecorded.map((e) => ({ value: e })),
      );
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
