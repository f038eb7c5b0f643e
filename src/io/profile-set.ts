import { dirname, join, relative, resolve } from "node:path";
import { buildAllowlist, recordRun } from "../aggregate/build-allowlist.js";
import { buildSeccompPolicy } from "../aggregate/seccomp-policy.js";
import { emitAllowlist } from "../emit/allowlist.js";
import { SECCOMP_EMITTERS } from "../emit/seccomp.js";
import { allowlistSchema, type Allowlist } from "../model/allowlist.js";
import { archOfNode, type Arch } from "../model/arch.js";
import { configSchema, type Config, type ContainerConfig, type Settings } from "../model/config.js";
import { diagnostic, UserError, type Diagnostic } from "../model/diagnostics.js";
import { displayValue, type ValueProblem } from "../model/untrusted-text.js";
import type { ContainerResources } from "../model/resources.js";
import { emitAppArmor, findAppArmorProblems } from "../emit/apparmor.js";
import { emitFalcoRules, findFalcoProblems, type FalcoContainer } from "../emit/falco.js";
import { runsWithResources, withoutValues } from "../aggregate/resources.js";
import type { GeneralizeOptions } from "../aggregate/generalize.js";
import { SECCOMP_FORMATS, type SeccompFormat, type SeccompPolicy } from "../model/seccomp.js";
import type { BaselineName } from "../model/seccomp-knowledge.js";
import { diffArtifacts, type ArtifactSet } from "../diff/diff-artifacts.js";
import type { DiffReport } from "../model/diff.js";
import { readIfExists } from "./files.js";
import { lockOutputDir, writeFilesTogether } from "./output-dir.js";
import { expandInputs } from "./inputs.js";
import { parseRuns } from "./parse-runs.js";
import { parseYamlFile } from "./yaml-file.js";

export const CONFIG_FILE = "syscage.yaml";
/** What allowlist.yaml and syscage.yaml accept as a container name. */
const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Where `generate` and `check` look when ./syscage.yaml does not exist (keeps a repository's top level small). */
export const CONFIG_FALLBACK = "profiles/syscage.yaml";

/** Everything needed to (re)generate one container's profiles. */
export interface ContainerJob {
  name: string;
  /** The directory inputs and `out` are relative to (the config file's), and run names are shown from. */
  base: string;
  /** Inputs as given (relative to `base`, or absolute). */
  inputs: string[];
  /** Output directory (relative to `base`, or absolute). */
  out: string;
  baselines: BaselineName[];
  formats: SeccompFormat[];
  recordedArch: Arch;
  arches: Arch[];
  argFilters: boolean;
  /** Image repositories the container runs as (Docker and CRI forms), for Falco's scope. */
  images: string[];
  generalize?: GeneralizeOptions;
}

export interface GeneratedFile {
  path: string;
  content: string;
}

export interface ContainerResult {
  job: ContainerJob;
  allowlist: Allowlist;
  previous: Allowlist | undefined;
  /** Runs in the inputs that the previous allowlist did not hold yet. */
  newRuns: number;
  policies: SeccompPolicy[];
  files: GeneratedFile[];
  diagnostics: Diagnostic[];
  /** What was not written and why, for the user. */
  notes: string[];
}

export const DEFAULT_SETTINGS = {
  baselines: ["runc", "always"] as BaselineName[],
  formats: ["docker"] as SeccompFormat[],
  argFilters: true,
};

export async function readConfig(path: string): Promise<Config | undefined> {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  return parseYamlFile(text, path, configSchema, "SC_CONFIG");
}

/** Turns config (or command-line) settings into a job, with defaults. */
export function jobFor(name: string, c: Partial<ContainerConfig> & { inputs: string[] }, defaults: Settings | undefined, base: string, profilesDir = "profiles"): ContainerJob {
  // The allowlist, the AppArmor profile and Falco's rule names all carry the name: check it before any work.
  if (!CONTAINER_NAME.test(name)) throw new UserError(`--name ${displayValue(name)}: expected letters, digits, '.', '_' or '-', starting with a letter or digit`, "SC_USAGE");
  const pick = <K extends keyof Settings>(k: K): Settings[K] => (c[k] !== undefined ? c[k] : defaults?.[k]);
  const baselines = (pick("baselines") ?? DEFAULT_SETTINGS.baselines) as (BaselineName | "none")[];
  const recordedArch = pick("recordedArch") ?? archOfNode(process.arch);
  return {
    name,
    base,
    inputs: c.inputs,
    out: c.out ?? join(profilesDir, name),
    baselines: baselines.filter((b): b is BaselineName => b !== "none"),
    formats: pick("formats") ?? DEFAULT_SETTINGS.formats,
    recordedArch,
    arches: pick("arches") ?? [recordedArch],
    argFilters: pick("argFilters") ?? DEFAULT_SETTINGS.argFilters,
    images: c.images ?? [],
    ...(pick("generalize") ? { generalize: pick("generalize") as GeneralizeOptions } : {}),
  };
}

/** Jobs for every container of a config file (or the named ones). */
export function jobsFromConfig(config: Config, configPath: string, names: string[]): ContainerJob[] {
  const all = Object.keys(config.containers).sort();
  for (const n of names) if (!all.includes(n)) throw new UserError(`${configPath}: no container named "${n}" (it has: ${all.join(", ") || "none"})`, "SC_CONFIG");
  const base = dirname(resolve(configPath));
  return (names.length ? names : all).map((n) => jobFor(n, config.containers[n]!, config.defaults, base, config.profiles ?? "profiles"));
}

/** Where a job's file goes, as a path to show and open from the working directory. */
export function outPath(job: ContainerJob, file: string): string {
  return relative(process.cwd(), resolve(job.base, job.out, file)) || file;
}

/** Profile file name for a format and target, with the arch in the name when there are several. */
export function profileFileName(format: SeccompFormat, arch: Arch, several: boolean): string {
  const f = SECCOMP_FORMATS[format].file;
  if (!several) return f;
  const dot = f.indexOf(".");
  return `${f.slice(0, dot)}.${arch}${f.slice(dot)}`;
}

/**
 * Regenerates a container in memory: parses its inputs, merges them into the allowlist already in
 * its output directory (unless `fresh`), and renders every profile. Nothing is written.
 */
export async function generateContainer(job: ContainerJob, options: { fresh: boolean; jobs?: number }): Promise<ContainerResult> {
  const allowlistPath = outPath(job, "allowlist.yaml");
  const prevText = options.fresh ? undefined : await readIfExists(allowlistPath);
  const previous = prevText === undefined ? undefined : parseYamlFile(prevText, allowlistPath, allowlistSchema, "SC_ALLOWLIST");
  const runs = await expandInputs(job.inputs.map((i) => (i === "-" ? i : resolve(job.base, i))), job.base);
  const parsed = await parseRuns(runs, options.jobs === undefined ? { arch: job.recordedArch, observe: true } : { arch: job.recordedArch, observe: true, jobs: options.jobs });
  const records = parsed.filter((r) => r.kind !== "empty").map(recordRun);
  const known = new Set(previous?.runs.map((r) => r.sha256) ?? []);
  const newRuns = new Set(records.filter((r) => !known.has(r.sha256)).map((r) => r.sha256)).size;
  const allowlist = buildAllowlist([...(previous?.runs ?? []), ...records], { name: job.name, baselines: job.baselines, fallbackArch: job.recordedArch, ...(job.generalize ? { generalize: job.generalize } : {}) });
  if (allowlist.runs.length === 0) throw new UserError(`${job.name}: the inputs hold no strace output (${job.inputs.join(", ")})`, "SC_NO_RUNS");
  const files: GeneratedFile[] = [{ path: allowlistPath, content: emitAllowlist(allowlist) }];
  const policies: SeccompPolicy[] = [];
  for (const arch of job.arches) {
    const policy = buildSeccompPolicy(allowlist, { target: arch, argFilters: job.argFilters });
    policies.push(policy);
    for (const format of job.formats) {
      files.push({ path: outPath(job, profileFileName(format, arch, job.arches.length > 1)), content: SECCOMP_EMITTERS[format](policy) });
    }
  }
  const diagnostics = parsed.flatMap((r) => r.diagnostics);
  const notes: string[] = [];
  if (allowlist.resources) {
    const syscalls = [...new Set(policies.flatMap((p) => p.rules.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names)))].sort();
    const { files: extra, diagnostics: rejected, notes: more } = emitResourceArtifacts(job, allowlist.resources as ContainerResources, runsWithResources(allowlist.runs), syscalls, allowlistPath, allowlist.runs);
    // Loops, not push(...): a hostile trace can hold more rejected values than a call takes arguments.
    for (const f of extra) files.push(f);
    for (const d of rejected) diagnostics.push(d);
    for (const n of more) notes.push(n);
  } else notes.push("no AppArmor profile or Falco rules: the runs hold no trace lines (summary tables only)");
  return { job, allowlist, previous, newRuns, policies, files, diagnostics, notes };
}

/**
 * apparmor.profile and falco-rules.yaml from a container's resources. A value AppArmor cannot hold
 * safely is left out of both; one only Falco cannot hold (a `'`, a trailing backslash, over 255
 * bytes, a list name) is left out of the Falco rules only. Each with a diagnostic; a bad container
 * name or image is an error.
 */
export function emitResourceArtifacts(
  job: ContainerJob,
  resources: ContainerResources,
  runs: number,
  syscalls: string[],
  source: string,
  runRecords: readonly { id: string; resources?: Partial<Record<keyof ContainerResources, readonly object[]>> | undefined }[] = [],
): { files: GeneratedFile[]; diagnostics: Diagnostic[]; notes: string[] } {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const aaProblems = findAppArmorProblems(job.name, resources);
  const nameProblem = aaProblems.find((p) => p.code === "SC_APPARMOR_PROFILE_NAME");
  if (nameProblem) throw new UserError(`${job.name}: ${nameProblem.reason}`, nameProblem.code);
  // Each rejected value gets one diagnostic; every item it came from is left out.
  const reported = new Set<string>();
  const reject = (problems: readonly ValueProblem<string>[], where: string): { values: Set<string>; items: Set<object> } => {
    const values = new Set<string>();
    const items = new Set<object>();
    for (const p of problems) {
      if (p.item) items.add(p.item);
      else values.add(p.value);
      if (reported.has(p.value)) continue;
      reported.add(p.value);
      diagnostics.push(diagnostic("SC_UNSAFE_VALUE", runHolding(runRecords, p) ?? source, 0, 0, `${p.what} ${displayValue(p.value)} left out of ${where}: ${p.reason}`));
    }
    return { values, items };
  };
  const aaRejected = reject(aaProblems, "the AppArmor profile and Falco rules");
  const forAppArmor = aaProblems.length > 0 ? withoutValues(resources, aaRejected.values, aaRejected.items) : resources;
  const files: GeneratedFile[] = [{ path: outPath(job, "apparmor.profile"), content: emitAppArmor(job.name, forAppArmor, { runs }) }];
  if (job.images.length > 0) {
    const falcoInput = (r: ContainerResources): FalcoContainer => ({ name: job.name, images: job.images, resources: r, syscalls, runs });
    let forFalco = forAppArmor;
    // Leaving a value out never adds a problem; the loop only guards against a problem that names no removable item.
    for (let round = 0; ; round++) {
      const falcoProblems = findFalcoProblems([falcoInput(forFalco)]);
      const fatal = falcoProblems.find((p) => p.code !== "SC_FALCO_VALUE");
      if (fatal) throw new UserError(`${job.name}: ${fatal.what} ${displayValue(fatal.value)}: ${fatal.reason}`, fatal.code);
      if (falcoProblems.length === 0) break;
      if (round > 0 && falcoProblems.every((p) => reported.has(p.value) && !p.item)) throw new Error(`Falco problems left after removing their values: ${falcoProblems.map((p) => p.value).join(", ")}`);
      const rejected = reject(falcoProblems, "the Falco rules");
      forFalco = withoutValues(forFalco, rejected.values, rejected.items);
    }
    files.push({ path: outPath(job, "falco-rules.yaml"), content: emitFalcoRules([falcoInput(forFalco)]) });
  } else notes.push("no falco-rules.yaml: Falco rules are scoped by image; name the container's images (images: in the config, or --image)");
  return { files, diagnostics, notes };
}

/** The first run whose resources hold a rejected value (its item, else a field equal to the value), to name it in the diagnostic. */
function runHolding(runs: readonly { id: string; resources?: Partial<Record<keyof ContainerResources, readonly object[]>> | undefined }[], p: ValueProblem<string>): string | undefined {
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

/** Writes a container's files together (see io/output-dir.ts): temporaries first, then renames, the allowlist last. */
export async function writeContainer(result: ContainerResult): Promise<void> {
  await writeFilesTogether(result.files);
}

/**
 * Takes the lock of every output directory of `jobs` (in a fixed order, so two runs cannot wait on
 * each other), before any allowlist is read: a run that starts while another writes the same
 * directory waits, then merges into what the other wrote. Returns the release.
 */
export async function lockOutputs(jobs: readonly ContainerJob[], waitSeconds?: number, onWait?: (dir: string, pid: number) => void): Promise<() => Promise<void>> {
  const dirs = [...new Set(jobs.map((j) => outPath(j, ".")))].sort();
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const d of dirs) releases.push(await lockOutputDir(d, { ...(waitSeconds !== undefined ? { waitMs: waitSeconds * 1000 } : {}), ...(onWait ? { onWait: (pid: number) => onWait(d, pid) } : {}) }));
  } catch (e) {
    for (const r of releases.reverse()) await r();
    throw e;
  }
  return async () => {
    for (const r of releases.reverse()) await r();
  };
}

/**
 * The semantic diff between the files a container has on disk and what was just generated for it
 * (paths relative to the working directory; a file not on disk yet counts as added).
 */
export async function diffWithDisk(result: ContainerResult): Promise<DiffReport> {
  const before: ArtifactSet = new Map();
  const after: ArtifactSet = new Map();
  for (const f of result.files) {
    const old = await readIfExists(f.path);
    if (old !== undefined) before.set(f.path, old);
    after.set(f.path, f.content);
  }
  return diffArtifacts("committed", before, "regenerated", after);
}

/** Whether every generated file is byte-identical to the one on disk. */
export async function upToDate(result: ContainerResult): Promise<boolean> {
  for (const f of result.files) if ((await readIfExists(f.path)) !== f.content) return false;
  return true;
}
