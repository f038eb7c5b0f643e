import type { Argv, CommandModule } from "yargs";
import type { ContainerConfig } from "../../model/config.js";
import { formatDiagnostic, UserError } from "../../model/diagnostics.js";
import { ARCHES, isArch, type Arch } from "../../model/arch.js";
import { allowedNames, SPO_API_VERSIONS } from "../../model/seccomp.js";
import { JOBS_HELP, useColor, wholeNumber } from "../options.js";
import { terminalSafe } from "../../model/untrusted-text.js";
import type { OutputFormat } from "../../model/artifacts.js";
import { SELECTABLE_FORMATS } from "../../pipeline/artifacts.js";
import { runsWithResources } from "../../aggregate/resources.js";
import {
  CONFIG_FALLBACK,
  CONFIG_FILE,
  changesOnDisk,
  diffWithDisk,
  generateContainer,
  lockOutputs,
  writeContainer,
  type ContainerResult,
} from "../../io/profile-set.js";
import { resolveJobs } from "../../io/jobs.js";
import { growYoungGenerationAtOnce } from "../../io/young-generation.js";
import { servicePolicyFor } from "../../pipeline/render-container.js";
import { BASELINE_CHOICES, type BaselineChoice, DEFAULT_BASELINES, isRuntimeBaseline } from "../../model/baseline-names.js";
import type { ContainerJob } from "../../io/profile-set.js";

interface GenerateArgs {
  inputs?: string[];
  name?: string;
  out?: string;
  config?: string;
  baseline?: string;
  format?: string;
  arch?: string;
  "recorded-arch"?: string;
  fresh: boolean;
  "arg-filters"?: boolean;
  equivalents?: boolean;
  implied?: boolean;
  strict: boolean;
  jobs?: number;
  wait?: number;
  image?: string | string[];
  "spo-api-version"?: string;
  "measured-baseline"?: string | string[];
}

function list<T extends string>(value: string | undefined, allowed: readonly string[], flag: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items)
    if (!allowed.includes(i)) throw new UserError(`${flag}: unknown value "${i}", expected one or more of ${allowed.join(", ")} (comma-separated)`);
  return items as T[];
}

/** The lines `generate` prints about one container. */
export function describeResult(r: ContainerResult): string[] {
  const out: string[] = [];
  const a = r.allowlist;
  const observed = Object.values(a.syscalls).filter((e) => e.from.includes("observed")).length;
  out.push(
    `${r.job.name}: ${a.runs.length} run(s) (${r.newRuns} new), ${observed} syscalls observed, ${Object.keys(a.syscalls).length} allowed with baselines ${a.baselines.join(", ") || "none"}`,
  );
  for (const p of r.policies) {
    const allowed = allowedNames([p]).length;
    out.push(`  ${p.target}: ${allowed} allowed names in ${p.rules.length} rule(s), architectures ${p.architectures.join(", ")}`);
    for (const t of p.translated) out.push(`    translated ${t.from} -> ${t.to}`);
    for (const u of p.untranslatable) out.push(`    warning: ${u.name} left out: ${u.reason}`);
    for (const k of p.risky) out.push(`    risk: ${k.name}: ${k.reason}`);
    if (r.job.formats.includes("systemd"))
      out.push(
        `    systemd: ${allowedNames([servicePolicyFor(a, p.target)]).length} names in SystemCallFilter= (no runtime baseline; systemd adds its @default set)`,
      );
  }
  const res = r.allowlist.resources;
  if (res) {
    out.push(
      `  resources: ${res.files.length} file rule(s), ${res.execs.length} program(s), ${res.sockets.length} socket kind(s), ${res.listens.length} listening, ${res.connects.length} outbound, capabilities ${res.capabilities.map((c) => c.name).join(", ") || "none"}`,
    );
    const unresolved = r.allowlist.runs.reduce((n, run) => n + (run.resources?.unresolved.length ?? 0), 0);
    if (unresolved > 0) out.push(`    warning: ${unresolved} relative path(s) could not be resolved (cwd unknown); see allowlist.yaml`);
  }
  out.push(...describeCoverage(r.job.name, a));
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}

/**
 * What rests on a single run: how many runs the container has, which observed syscalls and file
 * rules only one of several runs showed, and a suggestion to record more where coverage is thin.
 */
export function describeCoverage(name: string, a: ContainerResult["allowlist"]): string[] {
  const n = a.runs.length;
  const record = `record more runs (syscage record --name ${name} -- CMD, exercising other paths) and generate again`;
  if (n === 1) return [`  coverage: 1 run: every permission rests on this one recording; ${record}`];
  const once = Object.entries(a.syscalls)
    .filter(([, e]) => e.from.includes("observed") && e.runs === 1)
    .map(([k]) => k);
  const traced = runsWithResources(a.runs);
  const filesOnce = traced >= 2 ? (a.resources?.files.filter((f) => f.runs === 1).length ?? 0) : 0;
  if (once.length === 0 && filesOnce === 0) return [`  coverage: ${n} runs; every observed syscall was seen in at least 2`];
  const shown = once.slice(0, 12).join(", ") + (once.length > 12 ? `, ... (${once.length - 12} more)` : "");
  const out = [
    `  coverage: ${n} runs; seen in only 1 of them: ${once.length} syscall(s)${once.length ? ` (${shown})` : ""}, ${filesOnce} of ${a.resources?.files.length ?? 0} file rule(s)${traced < n ? ` (of ${traced} traced runs)` : ""}`,
  ];
  if (n < 5 || once.length * 10 > Object.keys(a.syscalls).length) out.push(`    coverage is thin: ${record}`);
  return out;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: "generate [inputs..]",
  describe: "Build a container's allowlist from recorded runs and write its seccomp profiles",
  builder: (y: Argv) =>
    y
      .positional("inputs", { describe: "traces (files, directories, globs, .gz, -); each file or -ff group is one run", type: "string", array: true })
      .option("name", { type: "string", describe: "container name; with inputs: generate it from them; without: the container of that name in the config" })
      .option("out", { type: "string", describe: "output directory (default: profiles/NAME)" })
      .option("config", {
        type: "string",
        describe: `config file mapping containers to inputs, used when no inputs are given (default: ${CONFIG_FILE}, else ${CONFIG_FALLBACK})`,
      })
      .option("baseline", {
        type: "string",
        describe: `baselines to add, comma-separated: ${BASELINE_CHOICES.join(", ")} (default: ${DEFAULT_BASELINES.join(",")})`,
      })
      .option("format", {
        type: "string",
        describe: `outputs to write, comma-separated: ${SELECTABLE_FORMATS.map((f) => `${f.name} (${f.file})`).join(", ")} (default: docker; allowlist, AppArmor and Falco are always written)`,
      })
      .option("arch", { type: "string", describe: `target architectures, comma-separated, one profile each (${ARCHES.join(", ")}; default: the recorded one)` })
      .option("recorded-arch", { type: "string", choices: ARCHES, describe: "architecture the traces were recorded on (default: this machine's)" })
      .option("fresh", { type: "boolean", default: false, describe: "start from the inputs alone instead of merging them into the existing allowlist" })
      .option("arg-filters", {
        type: "boolean",
        describe: "pin socket domains, personality and clone flags to observed constants (default: on; --no-arg-filters to turn off)",
      })
      .option("equivalents", {
        type: "boolean",
        describe:
          "allow the other entry points of each observed operation (nanosleep/clock_nanosleep, open/openat...; default: on; --no-equivalents to turn off)",
      })
      .option("implied", {
        type: "boolean",
        describe: "allow what a recorded call needs on its other path (kill for a workload that waits for its children; default: on; --no-implied to turn off)",
      })
      .option("strict", { type: "boolean", default: false, describe: "fail (exit 2) on any trace diagnostic" })
      .option("jobs", {
        type: "string",
        coerce: wholeNumber("--jobs", 1, 1024),
        describe: JOBS_HELP,
      })
      .option("wait", {
        type: "string",
        coerce: wholeNumber("--wait", 0, 86400),
        describe: "seconds to wait while another syscage writes the same output directory (default: 600)",
      })
      .option("spo-api-version", {
        type: "string",
        choices: SPO_API_VERSIONS,
        describe: "apiVersion of the SPO SeccompProfile: v1 (default; what SPO 1.x stores) or v1beta1 (older operators)",
      })
      .option("image", {
        type: "string",
        describe: "image repository the container runs as, for Falco's scope (repeatable; Docker and CRI forms are both derived)",
      })
      .option("measured-baseline", {
        type: "string",
        describe: "baseline file written by syscage baseline (repeatable): replaces the built-in list of that name, which it adds to the baselines",
      })
      .example("$0 generate --name web samples/web/", "profiles/web/{allowlist.yaml,seccomp.json} from the web samples")
      .example("$0 generate", `every container of ${CONFIG_FILE}`)
      .example(
        "$0 generate --name web --format docker,oci,spo --arch x86_64,aarch64 samples/web/",
        "all formats, one profile per architecture",
      ) as unknown as Argv<GenerateArgs>,
  handler: async (args) => {
    growYoungGenerationAtOnce();
    const cwd = process.cwd();
    const inputs = args.inputs ?? [];
    const overrides: Record<string, unknown> = {};
    const baselines = list<BaselineChoice>(args.baseline, BASELINE_CHOICES, "--baseline");
    if (baselines) overrides.baselines = baselines;
    const formats = list<OutputFormat>(
      args.format,
      SELECTABLE_FORMATS.map((f) => f.name),
      "--format",
    );
    if (formats) overrides.formats = formats;
    const arches = list<Arch>(args.arch, ARCHES, "--arch");
    if (arches) overrides.arches = arches;
    if (args["recorded-arch"] !== undefined && isArch(args["recorded-arch"])) overrides.recordedArch = args["recorded-arch"];
    if (args["arg-filters"] !== undefined) overrides.argFilters = args["arg-filters"];
    if (args.equivalents !== undefined) overrides.equivalents = args.equivalents;
    if (args.implied !== undefined) overrides.implied = args.implied;
    if (args.image !== undefined) overrides.images = ([] as string[]).concat(args.image);
    if (args["spo-api-version"] !== undefined) overrides.spoApiVersion = args["spo-api-version"];
    let jobs = await resolveJobs({
      inputs,
      overrides: overrides as Partial<ContainerConfig>,
      cwd,
      ...(args.name ? { name: args.name } : {}),
      ...(args.out ? { out: args.out } : {}),
      ...(args.config ? { config: args.config } : {}),
    });
    const measuredFiles = args["measured-baseline"] === undefined ? [] : ([] as string[]).concat(args["measured-baseline"]);
    const measuredFrom = new Map<string, string>();
    if (measuredFiles.length > 0) {
      // io/baseline.ts brings the container recorder along: loaded only for --measured-baseline.
      const { readMeasuredBaselines } = await import("../../io/baseline.js");
      const { measured, files } = await readMeasuredBaselines(measuredFiles);
      jobs = jobs.map((j) => ({ ...j, measured, baselines: [...new Set([...j.baselines, ...files.map((f) => f.baseline.name)])] }));
      for (const f of files) measuredFrom.set(f.baseline.name, `measured with ${f.baseline.version} (${f.path})`);
    }
    /** Which list each runtime baseline came from, for the user. */
    const baselineLines = (j: ContainerJob) =>
      j.baselines
        .filter(isRuntimeBaseline)
        .map((b) => `  baseline ${b}: ${measuredFrom.get(b) ?? "built-in list (syscage baseline --runtime RUNTIME measures the installed one)"}`);
    // One writer per output directory, from reading its allowlist to the last rename (io/output-dir.ts).
    const release = await lockOutputs(jobs, args.wait, (dir, pid) =>
      process.stderr.write(`syscage: waiting for ${dir}: another syscage (pid ${pid}) is writing it\n`),
    );
    try {
      let diagnostics = 0;
      const results: ContainerResult[] = [];
      for (const job of jobs) {
        const r = await generateContainer(job, args.jobs === undefined ? { fresh: args.fresh } : { fresh: args.fresh, jobs: args.jobs });
        for (const d of r.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
        diagnostics += r.diagnostics.length;
        results.push(r);
      }
      if (args.strict && diagnostics > 0) throw new UserError(`${diagnostics} diagnostic(s) in the traces and --strict: nothing written`, "SC_STRICT");
      for (const r of results) {
        // What this run changes in the profiles it replaces, before they are replaced (nothing to
        // show when every file is new or the same).
        if (await changesOnDisk(r)) {
          const diff = await diffWithDisk(r);
          const changes = diff.artifacts.filter((a) => a.status !== "added" && a.changes.length > 0);
          if (changes.length > 0) {
            const { emitDiffText } = await import("../../emit/diff-report.js"); // loaded only when there is a diff to show
            process.stdout.write(emitDiffText({ ...diff, artifacts: changes }, { color: useColor(undefined) }));
          }
        }
        await writeContainer(r);
        process.stdout.write(
          `${[...describeResult(r), ...baselineLines(r.job), `  wrote ${r.files.map((f) => f.path).join(", ")}`].map(terminalSafe).join("\n")}\n`,
        );
      }
    } finally {
      await release();
    }
  },
};
