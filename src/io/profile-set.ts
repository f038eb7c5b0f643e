import { dirname, join, relative, resolve } from "node:path";
import { buildAllowlist, recordRun } from "../aggregate/build-allowlist.js";
import type { Allowlist } from "../model/allowlist.js";
import { archOfNode, type Arch } from "../model/arch.js";
import type { Config, ContainerConfig, Settings } from "../model/config.js";
import { UserError, type Diagnostic } from "../model/diagnostics.js";
import { displayValue } from "../model/untrusted-text.js";
import type { GeneralizeOptions } from "../aggregate/generalize.js";
import type { SeccompPolicy, SpoApiVersion } from "../model/seccomp.js";
import type { ArtifactKind, OutputFormat } from "../model/artifacts.js";
import type { FalcoScope } from "../emit/falco.js";
import { ARTIFACT_READERS, ARTIFACTS } from "../pipeline/artifacts.js";
import { renderContainer } from "../pipeline/render-container.js";
import { type BaselineName, DEFAULT_BASELINES } from "../model/baseline-names.js";
import type { MeasuredBaselines } from "../model/baselines.js";
import { diffArtifacts, loadReaderSchemas, type ArtifactSet } from "../diff/diff-artifacts.js";
import type { DiffReport } from "../model/diff.js";
import { readIfExists } from "./files.js";
import { lockOutputDir, writeFilesTogether } from "./output-dir.js";
import { expandInputs } from "./inputs.js";
import { parseRuns } from "./parse-runs.js";
import { parseYamlFile } from "./yaml-file.js";
import { isArtifactInputError } from "../diff/artifact-input-error.js";

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
  /** Selectable outputs (`--format`, `formats:`): seccomp formats, systemd. */
  formats: OutputFormat[];
  recordedArch: Arch;
  arches: Arch[];
  argFilters: boolean;
  /** Allow the equivalent entry points of observed calls (model/equivalent-syscalls.ts). */
  equivalents: boolean;
  /** Allow what a recorded call needs on its other path (model/implied-syscalls.ts). */
  implied: boolean;
  /** Image repositories the container runs as (Docker and CRI forms), for Falco's scope. */
  images: string[];
  generalize?: GeneralizeOptions;
  /** apiVersion of the SPO SeccompProfile (default: v1). */
  spoApiVersion?: SpoApiVersion;
  /** Falco rules scoped by process or by image (config `falcoScope`); unset: the emitter's default. */
  falcoScope?: FalcoScope;
  /** Runtime baselines measured by `syscage baseline`, replacing the built-in lists of the same name. */
  measured?: MeasuredBaselines;
}

export interface GeneratedFile {
  path: string;
  /** The row of the artifact table it came from (so the diff need not recognize it again). */
  kind: ArtifactKind;
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
  baselines: [...DEFAULT_BASELINES] as BaselineName[],
  formats: ["docker"] as OutputFormat[],
  argFilters: true,
};

export async function readConfig(path: string): Promise<Config | undefined> {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  // The schemas load zod (40 ms): only when there is something to check.
  const { configSchema } = await import("../model/config.js");
  return parseYamlFile(text, path, configSchema, "SC_CONFIG");
}

/** Turns config (or command-line) settings into a job, with defaults. */
export function jobFor(
  name: string,
  c: Partial<ContainerConfig> & { inputs: string[] },
  defaults: Settings | undefined,
  base: string,
  profilesDir = "profiles",
): ContainerJob {
  // The allowlist, the AppArmor profile and Falco's rule names all carry the name: check it before any work.
  if (!CONTAINER_NAME.test(name))
    throw new UserError(`--name ${displayValue(name)}: expected letters, digits, '.', '_' or '-', starting with a letter or digit`, "SC_USAGE");
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
    equivalents: pick("equivalents") ?? true,
    implied: pick("implied") ?? true,
    images: c.images ?? [],
    ...(pick("generalize") ? { generalize: pick("generalize") as GeneralizeOptions } : {}),
    ...(pick("spoApiVersion") ? { spoApiVersion: pick("spoApiVersion") as SpoApiVersion } : {}),
    ...(pick("falcoScope") ? { falcoScope: pick("falcoScope") as FalcoScope } : {}),
  };
}

/** Jobs for every container of a config file (or the named ones). */
export function jobsFromConfig(config: Config, configPath: string, names: string[]): ContainerJob[] {
  const all = Object.keys(config.containers).sort();
  for (const n of names)
    if (!all.includes(n)) throw new UserError(`${configPath}: no container named "${n}" (it has: ${all.join(", ") || "none"})`, "SC_CONFIG");
  const base = dirname(resolve(configPath));
  return (names.length ? names : all).map((n) => jobFor(n, config.containers[n]!, config.defaults, base, config.profiles ?? "profiles"));
}

/** Where a job's file goes, as a path to show and open from the working directory. */
export function outPath(job: ContainerJob, file: string): string {
  return relative(process.cwd(), resolve(job.base, job.out, file)) || file;
}

/**
 * Regenerates a container in memory: parses its inputs, merges them into the allowlist already in
 * its output directory (unless `fresh`), and renders every profile. Nothing is written.
 */
export async function generateContainer(job: ContainerJob, options: { fresh: boolean; jobs?: number }): Promise<ContainerResult> {
  const allowlistPath = outPath(job, ARTIFACTS.allowlist.outputs.allowlist.file);
  const prevText = options.fresh ? undefined : await readIfExists(allowlistPath);
  const previous =
    prevText === undefined ? undefined : parseYamlFile(prevText, allowlistPath, (await import("../model/allowlist.js")).allowlistSchema, "SC_ALLOWLIST");
  const runs = await expandInputs(
    job.inputs.map((i) => (i === "-" ? i : resolve(job.base, i))),
    job.base,
  );
  const parsed = await parseRuns(
    runs,
    options.jobs === undefined ? { arch: job.recordedArch, observe: true } : { arch: job.recordedArch, observe: true, jobs: options.jobs },
  );
  const records = parsed.filter((r) => r.kind !== "empty").map(recordRun);
  const known = new Set(previous?.runs.map((r) => r.sha256) ?? []);
  const newRuns = new Set(records.filter((r) => !known.has(r.sha256)).map((r) => r.sha256)).size;
  const allowlist = buildAllowlist([...(previous?.runs ?? []), ...records], {
    name: job.name,
    baselines: job.baselines,
    fallbackArch: job.recordedArch,
    equivalents: job.equivalents,
    implied: job.implied,
    ...(job.measured ? { measured: job.measured } : {}),
    ...(job.generalize ? { generalize: job.generalize } : {}),
  });
  if (allowlist.runs.length === 0) throw new UserError(`${job.name}: the inputs hold no strace output (${job.inputs.join(", ")})`, "SC_NO_RUNS");
  const rendered = renderContainer(job, allowlist, allowlistPath);
  const files: GeneratedFile[] = rendered.files.map((f) => ({ path: outPath(job, f.file), kind: f.kind, content: f.content }));
  const { policies, notes } = rendered;
  const diagnostics = [...parsed.flatMap((r) => r.diagnostics), ...rendered.diagnostics];
  return { job, allowlist, previous, newRuns, policies, files, diagnostics, notes };
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
export async function lockOutputs(
  jobs: readonly ContainerJob[],
  waitSeconds?: number,
  onWait?: (dir: string, pid: number) => void,
): Promise<() => Promise<void>> {
  const dirs = [...new Set(jobs.map((j) => outPath(j, ".")))].sort();
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const d of dirs)
      releases.push(
        await lockOutputDir(d, {
          ...(waitSeconds !== undefined ? { waitMs: waitSeconds * 1000 } : {}),
          ...(onWait ? { onWait: (pid: number) => onWait(d, pid) } : {}),
        }),
      );
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
  const kinds = new Map<string, ArtifactKind>();
  for (const f of result.files) {
    const old = await readIfExists(f.path);
    if (old !== undefined) before.set(f.path, old);
    after.set(f.path, f.content);
    kinds.set(f.path, f.kind);
  }
  await loadReaderSchemas();
  try {
    return diffArtifacts("committed", before, "regenerated", after, ARTIFACT_READERS, { strict: true, newKinds: kinds });
  } catch (e) {
    // Only a file on disk can be unreadable (what was generated comes from the table): say what to
    // do. Anything else is a bug, and reaches the user as one.
    if (!isArtifactInputError(e)) throw e;
    throw new UserError(`${(e as Error).message}; the file on disk is not one syscage wrote: move it away and run again`, "SC_DIFF_INPUT", { cause: e });
  }
}

/**
 * Whether a file on disk differs from what was generated in its place. Without one, diffWithDisk
 * has no change to an existing file to report (a file not on disk yet is only "added"), and
 * `generate` skips it: on a first run it would parse a big allowlist.yaml for nothing.
 */
export async function changesOnDisk(result: ContainerResult): Promise<boolean> {
  for (const f of result.files) {
    const old = await readIfExists(f.path);
    if (old !== undefined && old !== f.content) return true;
  }
  return false;
}

/** Whether every generated file is byte-identical to the one on disk. */
export async function upToDate(result: ContainerResult): Promise<boolean> {
  for (const f of result.files) if ((await readIfExists(f.path)) !== f.content) return false;
  return true;
}
