// `syscage falco --replay`: which Falco rules would fire on recorded runs. Each strace event that a
// syscage rule watches becomes the Falco fields its conditions read, and each enabled rule of the
// rules file (read back by parse/falco-condition.ts, so a hand edit to the file counts) is
// evaluated on it. A prediction: Falco's own engine stays the judge (see README, "Replaying rules").

import { FALCO_SYSCALL_EVENTS } from "../model/falco-events.generated.js";
import type { ProcessActivity } from "../parse/resources.js";
import { evaluateCondition, type FalcoRulesModel } from "../parse/falco-condition.js";

export interface ReplayEvent {
  /** Where the event is: the trace file (or run) and the 1-based line of the call. */
  file: string;
  line: number;
  /** The Falco fields the event has, as text. */
  fields: Map<string, string>;
}

export interface ReplayAlert {
  rule: string;
  priority: string;
  tags: string[];
  file: string;
  line: number;
  fields: Record<string, string>;
}

const EVENTS: Readonly<Record<string, { event: string } | undefined>> = FALCO_SYSCALL_EVENTS;

/** `::ffff:10.0.0.1` -> `10.0.0.1`: libs reports v4-mapped IPv6 sockets as IPv4 ones. */
function canonicalIp(address: string): { ip: string; v4: boolean } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { ip: m[1] as string, v4: true };
  return { ip: address, v4: !address.includes(":") };
}

/**
 * The Falco fields of one recorded event, or undefined for events the replay cannot map (an accept
 * whose local port the trace does not show). `image` is the container.image.repository the run is
 * replayed as.
 */
export function falcoFieldsOf(a: ProcessActivity, image: string): Map<string, string> | undefined {
  const f = new Map<string, string>();
  f.set("evt.type", EVENTS[a.syscall]?.event ?? a.syscall);
  f.set("container.image.repository", image);
  // For an execve the process is already the new program, as in Falco's exit event.
  if (a.exe !== undefined) f.set("proc.exepath", a.exe);
  if (a.parentExe !== undefined) f.set("proc.pexepath", a.parentExe);
  switch (a.kind) {
    case "exec":
      break;
    case "open":
      f.set("fd.name", a.path);
      f.set("fd.typechar", a.dir ? "d" : "f");
      f.set("fd.num", "3");
      f.set("evt.is_open_write", a.write ? "true" : "false");
      break;
    case "connect":
    case "listen": {
      const ep = a.endpoint;
      if (ep.family !== "inet" && ep.family !== "inet6") {
        f.set("fd.typechar", "u");
        f.set("fd.name", ep.address);
        break;
      }
      const { ip, v4 } = canonicalIp(ep.address);
      f.set("fd.typechar", v4 ? "4" : "6");
      f.set("fd.sip", ip);
      if (ep.port !== undefined) f.set("fd.sport", String(ep.port));
      if (a.kind === "listen" && ep.port !== undefined) f.set("fd.lport", String(ep.port));
      break;
    }
    case "accept": {
      const ep = a.local;
      if (ep === undefined || ep.port === undefined) return undefined;
      if (ep.family !== "inet" && ep.family !== "inet6") {
        f.set("fd.typechar", "u");
        break;
      }
      const { ip, v4 } = canonicalIp(ep.address);
      f.set("fd.typechar", v4 ? "4" : "6");
      f.set("fd.sip", ip);
      f.set("fd.sport", String(ep.port));
      f.set("fd.lport", String(ep.port));
      break;
    }
  }
  return f;
}

/** Every enabled rule that fires on each event, in event order, then rule order. */
export function replayRules(rules: FalcoRulesModel, events: Iterable<ReplayEvent>): ReplayAlert[] {
  const enabled = rules.rules.filter((r) => r.enabled);
  const alerts: ReplayAlert[] = [];
  for (const e of events) {
    for (const r of enabled) {
      if (!evaluateCondition(r.condition, e.fields, rules.macros)) continue;
      alerts.push({
        rule: r.rule,
        priority: r.priority,
        tags: r.tags,
        file: e.file,
        line: e.line,
        fields: Object.fromEntries([...e.fields].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
      });
    }
  }
  return alerts;
}

/**
 * The image a replay runs as when none is given: the first item of the file's only
 * `syscage_*_images` list; undefined when the file has none or several.
 */
export function defaultReplayImage(rules: FalcoRulesModel): string | undefined {
  const lists = [...rules.lists.entries()].filter(([name]) => /^syscage_[a-z0-9_]+_images$/.test(name));
  return lists.length === 1 ? lists[0]?.[1][0]?.text : undefined;
}

/** One alert as a text line: `FILE:LINE: RULE (PRIORITY) evt.type=... proc.exepath=...`. */
export function formatAlert(a: ReplayAlert): string {
  const shown = ["evt.type", "proc.exepath", "proc.pexepath", "fd.name", "fd.sip", "fd.sport"].filter((k) => a.fields[k] !== undefined);
  return `${a.file}:${a.line}: ${a.rule} (${a.priority}) ${shown.map((k) => `${k}=${JSON.stringify(a.fields[k])}`).join(" ")}`;
}
