// One container's artifacts, from its allowlist and settings, through the artifact table. Pure: no
// fs, no process. The caller (io/profile-set.ts) reads the inputs, builds the allowlist and writes
// the files; everything between is decided here: the seccomp policies per target, the allowed
// names (computed once), the values each consumer cannot hold safely, and which outputs apply.

import { runsWithResources, withoutValues } from "../aggregate/resources.js";
import { buildSeccompPolicy } from "../aggregate/seccomp-policy.js";
import { findAppArmorProblems } from "../emit/apparmor.js";
import { findFalcoProblems, type FalcoScope } from "../emit/falco.js";
import type { Allowlist } from "../model/allowlist.js";
import type { Arch } from "../model/arch.js";
import { isRuntimeBaseline } from "../model/baseline-names.js";
import type { MeasuredBaselines } from "../model/baselines.js";
import type { ArtifactInput, ArtifactKind, OutputFormat } from "../model/artifacts.js";
import { diagnostic, UserError, type Diagnostic } from "../model/diagnostics.js";
import { displayValue, type ValueProblem } from "../model/untrusted-text.js";
import type { ContainerResources } from "../model/resources.js";
import { allowedNames, type SeccompPolicy, type SpoApiVersion } from "../model/seccomp.js";
import { OUTPUTS, outputFileName } from "./artifacts.js";

export interface RenderSettings {
  name: string;
  /** The selectable outputs to write (`--format`, `formats:`), in the order given. */
  formats: readonly OutputFormat[];
  arches: readonly Arch[];
  argFilters: boolean;
  images: readonly string[];
  /** The SeccompProfile API version to write (default: the one current SPO releases store). */
  spoApiVersion?: SpoApiVersion;
  /** Falco allowlists per executable or per image (config `falcoScope`); unset: the emitter's default. */
  falcoScope?: FalcoScope;
  /** Runtime baselines measured by `syscage baseline`, replacing the built-in lists of the same name. */
  measured?: MeasuredBaselines;
}

export interface RenderedContainer {
  /** File names relative to the container's directory, with their kind and content, in a stable order. */
  files: { file: string; kind: ArtifactKind; content: string }[];
  /** The seccomp policy of each target (what `generate` describes). */
  policies: SeccompPolicy[];
  diagnostics: Diagnostic[];
  /** What was not written and why, for the user. */
  notes: string[];
}

/** A run as the unsafe-value check sees it: its id and resources, to name the run that held a value. */
type RunWithResources = { id: string; resources?: Partial<Record<keyof ContainerResources, readonly object[]>> | undefined };

/**
 * The resources each consumer can hold safely. A value AppArmor cannot hold is left out of both;
 * one only Falco cannot hold (a `'`, a trailing backslash, over 255 bytes, a list name, a port out
 * of range) is left out of the Falco rules only. Each rejected value gets one diagnostic, on the
 * first run that holds it (else on `source`), and every item it came from is left out; a bad
 * container name or image is an error.
 */
export function safeResources(
  s: Pick<RenderSettings, "name" | "images" | "falcoScope">,
  resources: ContainerResources,
  runs: number,
  syscalls: string[],
  source: string,
  runRecords: readonly RunWithResources[] = [],
): { apparmor: ContainerResources; falco: ContainerResources; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const aaProblems = findAppArmorProblems(s.name, resources);
  const nameProblem = aaProblems.find((p) => p.code === "SC_APPARMOR_PROFILE_NAME");
  if (nameProblem) throw new UserError(`${s.name}: ${nameProblem.reason}`, nameProblem.code);
  const reported = new Set<string>();
  const reject = (problems: readonly ValueProblem<string>[], where: string): { values: Set<string>; items: Set<object> } => {
    const values = new Set<string>();
    const items = new Set<object>();
    for (const p of problems) {
      if (p.item) items.add(p.item);
      else values.add(p.value);
      if (reported.has(p.value)) continue;
      reported.add(p.value);
      diagnostics.push(
        diagnostic("SC_UNSAFE_VALUE", runHolding(runRecords, p) ?? source, 0, 0, `${p.what} ${displayValue(p.value)} left out of ${where}: ${p.reason}`),
      );
    }
    return { values, items };
  };
  const aaRejected = reject(aaProblems, "the AppArmor profile and Falco rules");
  const forAppArmor = aaProblems.length > 0 ? withoutValues(resources, aaRejected.values, aaRejected.items) : resources;
  if (s.images.length === 0) return { apparmor: forAppArmor, falco: forAppArmor, diagnostics };
  const falcoInput = (r: ContainerResources) => ({
    name: s.name,
    images: [...s.images],
    resources: r,
    syscalls,
    runs,
    ...(s.falcoScope ? { scope: s.falcoScope } : {}),
  });
  let forFalco = forAppArmor;
  // Leaving a value out never adds a problem; the loop only guards against a problem that names no removable item.
  for (let round = 0; ; round++) {
    const falcoProblems = findFalcoProblems([falcoInput(forFalco)]);
    const fatal = falcoProblems.find((p) => p.code !== "SC_FALCO_VALUE");
    if (fatal) throw new UserError(`${s.name}: ${fatal.what} ${displayValue(fatal.value)}: ${fatal.reason}`, fatal.code);
    if (falcoProblems.length === 0) break;
    if (round > 0 && falcoProblems.every((p) => reported.has(p.value) && !p.item))
      throw new Error(`Falco problems left after removing their values: ${falcoProblems.map((p) => p.value).join(", ")}`);
    const rejected = reject(falcoProblems, "the Falco rules");
    forFalco = withoutValues(forFalco, rejected.values, rejected.items);
  }
  return { apparmor: forAppArmor, falco: forFalco, diagnostics };
}

/** The first run whose resources hold a rejected value (its item, else a field equal to the value), to name it in the diagnostic. */
function runHolding(runs: readonly RunWithResources[], p: ValueProblem<string>): string | undefined {
  const item = p.item as Record<string, unknown> | undefined;
  const sameItem = (x: Record<string, unknown>): boolean =>
    item !== undefined && Object.keys(item).every((k) => k === "runs" || k === "evidence" || x[k] === item[k]) && Object.keys(x).every((k) => k in item);
  for (const r of runs) {
    for (const list of Object.values(r.resources ?? {})) {
      for (const x of list ?? []) {
        const rec = x as Record<string, unknown>;
        if (item !== undefined ? sameItem(rec) : Object.values(rec).includes(p.value)) return r.id;
      }
    }
  }
  return undefined;
}

/** A policy for a consumer that loads the filter itself (systemd): only the `always` and `task-local` baselines (no runtime runs after the filter), no argument filters. */
export function servicePolicyFor(allowlist: Allowlist, target: Arch): SeccompPolicy {
  return buildSeccompPolicy({ ...allowlist, baselines: allowlist.baselines.filter((b) => !isRuntimeBaseline(b)) }, { target, argFilters: false });
}

/**
 * The syscalls a container may make on its targets, as `generate` computes them for Falco's syscall
 * rule: for a configured container its `arches`, else the architecture its runs were recorded on.
 */
export function allowedSyscalls(allowlist: Allowlist, arches?: readonly Arch[]): string[] {
  const targets = arches && arches.length > 0 ? arches : [allowlist.runs.flatMap((r) => r.arches)[0] ?? "x86_64"];
  return allowedNames(targets.map((target) => buildSeccompPolicy(allowlist, { target, argFilters: false })));
}

/**
 * Renders every output of the table that applies: allowlist.yaml first (everything else derives
 * from it), then the selected per-target outputs target by target, then the others.
 * `source` names the allowlist in diagnostics.
 */
export function renderContainer(s: RenderSettings, allowlist: Allowlist, source: string): RenderedContainer {
  const policies = s.arches.map((target) =>
    buildSeccompPolicy(allowlist, { target, argFilters: s.argFilters, ...(s.measured ? { measured: s.measured } : {}) }),
  );
  const names = allowedNames(policies);
  const tracedRuns = runsWithResources(allowlist.runs);
  const diagnostics: Diagnostic[] = [];
  let resources: ArtifactInput["resources"];
  if (allowlist.resources) {
    const safe = safeResources(s, allowlist.resources as ContainerResources, tracedRuns, names, source, allowlist.runs as readonly RunWithResources[]);
    resources = { apparmor: safe.apparmor, falco: safe.falco };
    diagnostics.push(...safe.diagnostics);
  }
  const inputFor = (target: Arch, policy: SeccompPolicy): ArtifactInput => ({
    name: s.name,
    allowlist,
    target,
    policy,
    servicePolicy: servicePolicyFor(allowlist, target),
    allowedNames: names,
    ...(resources ? { resources } : {}),
    images: [...s.images],
    tracedRuns,
    multiArch: s.arches.length > 1,
    ...(s.spoApiVersion ? { spoApiVersion: s.spoApiVersion } : {}),
    ...(s.falcoScope ? { falcoScope: s.falcoScope } : {}),
  });
  const first = inputFor(s.arches[0]!, policies[0]!);
  const files: RenderedContainer["files"] = [];
  const notes = new Set<string>();
  const several = s.arches.length > 1;
  const emitRow = (row: (typeof OUTPUTS)[number], input: ArtifactInput) => {
    const why = row.unavailable?.(input);
    if (why !== undefined) notes.add(why);
    else files.push({ file: outputFileName(row, input.target, several), kind: row.kind, content: row.emit(input, {}) });
  };
  const always = OUTPUTS.filter((o) => !o.selectable);
  const selected = s.formats.map((f) => OUTPUTS.find((o) => o.name === f)!);
  for (const row of always.filter((o) => o.kind === "allowlist")) emitRow(row, first);
  s.arches.forEach((target, i) => {
    const input = i === 0 ? first : inputFor(target, policies[i]!);
    for (const row of selected.filter((o) => o.perTarget)) emitRow(row, input);
  });
  for (const row of [...selected.filter((o) => !o.perTarget), ...always.filter((o) => o.kind !== "allowlist")]) emitRow(row, first);
  return { files, policies, diagnostics, notes: [...notes] };
}
