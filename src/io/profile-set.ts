import { dirname, join, relative, resolve } from "node:path";
import { buildAllowlist, recordRun } from "../aggregate/build-allowlist.js";
import { buildSeccompPolicy } from "../aggregate/seccomp-policy.js";
import { emitAllowlist } from "../emit/allowlist.js";
import { SECCOMP_EMITTERS } from "../emit/seccomp.js";
import { allowlistSchema, type Allowlist } from "../model/allowlist.js";
import { archOfNode, type Arch } from "../model/arch.js";
import { configSchema, type Config, type ContainerConfig, type Settings } from "../model/config.js";
import { diagnostic, UserError, type Diagnostic } from "../model/diagnostics.js";
import type { ContainerResources } from "../model/resources.js";
import { emitAppArmor, findAppArmorProblems } from "../emit/apparmor.js";
import { emitFalcoRules, findFalcoProblems, type FalcoContainer } from "../emit/falco.js";
import { runsWithResources, withoutValues } from "../aggregate/resources.js";
import type { GeneralizeOptions } from "../aggregate/generalize.js";
import { SECCOMP_FORMATS, type SeccompFormat, type SeccompPolicy } from "../model/seccomp.js";
import type { BaselineName, MeasuredBaselines } from "../model/seccomp-knowledge.js";
import { diffArtifacts, type ArtifactSet } from "../diff/diff-artifacts.js";
import type { DiffReport } from "../model/diff.js";
import { readIfExists, writeFileAtomic } from "./files.js";
import { expandInputs } from "./inputs.js";
import { parseRuns } from "./parse-runs.js";
import { parseYamlFile } from "./yaml-file.js";

export const CONFIG_FILE = "syscage.yaml";
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
  /** Runtime baselines measured by `syscage baseline`, replacing the built-in lists of the same name. */
  measured?: MeasuredBaselines;
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
  const allowlist = buildAllowlist([...(previous?.runs ?? []), ...records], { name: job.name, baselines: job.baselines, fallbackArch: job.recordedArch, ...(job.generalize ? { generalize: job.generalize } : {}), ...(job.measured ? { measured: job.measured } : {}) });
  if (allowlist.runs.length === 0) throw new UserError(`${job.name}: the inputs hold no strace output (${job.inputs.join(", ")})`, "SC_NO_RUNS");
  const files: GeneratedFile[] = [{ path: allowlistPath, content: emitAllowlist(allowlist) }];
  const policies: SeccompPolicy[] = [];
  for (const arch of job.arches) {
    const policy = buildSeccompPolicy(allowlist, { target: arch, argFilters: job.argFilters, ...(job.measured ? { measured: job.measured } : {}) });
    policies.push(policy);
    for (const format of job.formats) {
      files.push({ path: outPath(job, profileFileName(format, arch, job.arches.length > 1)), content: SECCOMP_EMITTERS[format](policy) });
    }
  }
  const diagnostics = parsed.flatMap((r) => r.diagnostics);
  const notes: string[] = [];
  if (allowlist.resources) {
    const syscalls = [...new Set(policies.flatMap((p) => p.rules.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names)))].sort();
    const { files: extra, diagnostics: rejected, notes: more } = emitResourceArtifacts(job, allowlist.resources as ContainerResources, runsWithResources(allowlist.runs), syscalls, allowlistPath);
    files.push(...extra);
    diagnostics.push(...rejected);
    notes.push(...more);
  } else notes.push("no AppArmor profile or Falco rules: the runs hold no trace lines (summary tables only)");
  return { job, allowlist, previous, newRuns, policies, files, diagnostics, notes };
}

/**
 * apparmor.profile and falco-rules.yaml from a container's resources. A value AppArmor cannot hold
 * safely is left out of both; one only Falco cannot hold (a `'`, a trailing backslash, over 255
 * bytes, a list name) is left out of the Falco rules only. Each with a diagnostic; a bad container
 * name or image is an error.
 */
export function emitResourceArtifacts(job: ContainerJob, resources: ContainerResources, runs: number, syscalls: string[], source: string): { files: GeneratedFile[]; diagnostics: Diagnostic[]; notes: string[] } {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const aaProblems = findAppArmorProblems(job.name, resources);
  const nameProblem = aaProblems.find((p) => p.code === "SC_APPARMOR_PROFILE_NAME");
  if (nameProblem) throw new UserError(`${job.name}: ${nameProblem.reason}`, nameProblem.code);
  const reject = (problems: readonly { what: string; value: string; reason: string }[], where: string, already: ReadonlySet<string>): Set<string> => {
    const values = new Set<string>();
    for (const p of problems) {
      if (values.has(p.value) || already.has(p.value)) continue;
      values.add(p.value);
      diagnostics.push(diagnostic("SC_UNSAFE_VALUE", source, 0, 0, `${p.what} ${JSON.stringify(p.value)} left out of ${where}: ${p.reason}`));
    }
    return values;
  };
  const aaRejected = reject(aaProblems, "the AppArmor profile and Falco rules", new Set());
  const forAppArmor = aaRejected.size > 0 ? withoutValues(resources, aaRejected) : resources;
  const files: GeneratedFile[] = [{ path: outPath(job, "apparmor.profile"), content: emitAppArmor(job.name, forAppArmor, { runs }) }];
  if (job.images.length > 0) {
    const falcoInput = (r: ContainerResources): FalcoContainer => ({ name: job.name, images: job.images, resources: r, syscalls, runs });
    const falcoProblems = findFalcoProblems([falcoInput(forAppArmor)]);
    const fatal = falcoProblems.find((p) => p.code !== "SC_FALCO_VALUE");
    if (fatal) throw new UserError(`${job.name}: ${fatal.what} ${JSON.stringify(fatal.value)}: ${fatal.reason}`, fatal.code);
    const falcoRejected = reject(falcoProblems, "the Falco rules", aaRejected);
    const forFalco = falcoRejected.size > 0 ? withoutValues(forAppArmor, falcoRejected) : forAppArmor;
    files.push({ path: outPath(job, "falco-rules.yaml"), content: emitFalcoRules([falcoInput(forFalco)]) });
  } else notes.push("no falco-rules.yaml: Falco rules are scoped by image; name the container's images (images: in the config, or --image)");
  return { files, diagnostics, notes };
}

/** Writes a container's files, each atomically. */
export async function writeContainer(result: ContainerResult): Promise<void> {
  for (const f of result.files) await writeFileAtomic(f.path, f.content);
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
