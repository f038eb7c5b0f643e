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

import { displayValue, type ValueProblem } from "../model/untrusted-text.js";
import { UserError } from "../model/diagnostics.js";
import type { ContainerResources } from "../model/resources.js";
import { falcoIdentifier, IDENTIFIER } from "./falco-images.js";
import { embedsListName, quoteFalcoString } from "./falco-literals.js";
import { type ContainerPlan, cmp, planContainer } from "./falco-plan.js";
import { containerItems, type Item, renderItem } from "./falco-render.js";

// The file is built in steps, one file each: falco-literals.ts (values as filter literals),
// falco-images.ts (identifiers, image references), falco-plan.ts (what each rule allows),
// falco-render.ts (lists, macros, rules as YAML). Their helpers stay importable from here.
export { falcoIdentifier, imageRepositoryForms } from "./falco-images.js";
export { FALCO_MAX_LITERAL_BYTES, falcoStringProblem, quoteFalcoString } from "./falco-literals.js";

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
      problems.push({
        code: "SC_FALCO_NAME",
        container: c.name,
        what: "container name",
        value: c.name,
        reason: `names its rules syscage_${id}_..., like container ${JSON.stringify(other)}`,
      });
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
        found.push({
          code,
          container: p.source.name,
          what,
          value,
          reason: `holds the list name ${name} as a word, which Falco would expand inside the quotes`,
        });
      }
    };
    for (const it of items) {
      if (it.kind === "list") {
        const image = it.name.endsWith("_images");
        for (const li of it.items)
          if (typeof li.value === "string")
            check(image ? "image" : `${it.name} item`, li.value, li.source ?? li.value, image ? "SC_FALCO_IMAGE" : "SC_FALCO_VALUE");
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
