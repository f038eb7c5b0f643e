import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { Config } from "../../model/config.js";
import { formatDiagnostic, UserError } from "../../model/diagnostics.js";
import { ARCHES, isArch, type Arch } from "../../model/arch.js";
import { SECCOMP_FORMATS, type SeccompFormat } from "../../model/seccomp.js";
import { emitDiffText } from "../../emit/diff-report.js";
import { CONFIG_FALLBACK, CONFIG_FILE, diffWithDisk, generateContainer, jobFor, jobsFromConfig, readConfig, writeContainer, type ContainerJob, type ContainerResult } from "../../io/profile-set.js";

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
  strict: boolean;
  jobs?: number;
  image?: string | string[];
}

function list<T extends string>(value: string | undefined, allowed: readonly string[], flag: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i)) throw new UserError(`${flag}: unknown value "${i}", expected one or more of ${allowed.join(", ")} (comma-separated)`);
  return items as T[];
}

/** The lines `generate` prints about one container. */
export function describeResult(r: ContainerResult): string[] {
  const out: string[] = [];
  const a = r.allowlist;
  const observed = Object.values(a.syscalls).filter((e) => e.from.includes("observed")).length;
  out.push(`${r.job.name}: ${a.runs.length} run(s) (${r.newRuns} new), ${observed} syscalls observed, ${Object.keys(a.syscalls).length} allowed with baselines ${a.baselines.join(", ") || "none"}`);
  for (const p of r.policies) {
    const allowed = new Set(p.rules.filter((x) => x.action === "SCMP_ACT_ALLOW").flatMap((x) => x.names)).size;
    out.push(`  ${p.target}: ${allowed} allowed names in ${p.rules.length} rule(s), architectures ${p.architectures.join(", ")}`);
    for (const t of p.translated) out.push(`    translated ${t.from} -> ${t.to}`);
    for (const u of p.untranslatable) out.push(`    warning: ${u.name} left out: ${u.reason}`);
    for (const k of p.risky) out.push(`    risk: ${k.name}: ${k.reason}`);
  }
  const res = r.allowlist.resources;
  if (res) {
    out.push(`  resources: ${res.files.length} file rule(s), ${res.execs.length} program(s), ${res.sockets.length} socket kind(s), ${res.listens.length} listening, ${res.connects.length} outbound, capabilities ${res.capabilities.map((c) => c.name).join(", ") || "none"}`);
    const unresolved = r.allowlist.runs.reduce((n, run) => n + (run.resources?.unresolved.length ?? 0), 0);
    if (unresolved > 0) out.push(`    warning: ${unresolved} relative path(s) could not be resolved (cwd unknown); see allowlist.yaml`);
  }
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}

/** The config file: the one named, else ./syscage.yaml, else profiles/syscage.yaml. */
export async function findConfig(named: string | undefined): Promise<{ config: Config; path: string } | undefined> {
  for (const path of named ? [named] : [CONFIG_FILE, CONFIG_FALLBACK]) {
    const config = await readConfig(path);
    if (config) return { config, path };
    if (named) throw new UserError(`${named}: no such config file`, "SC_CONFIG");
  }
  return undefined;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: "generate [inputs..]",
  describe: "Build a container's allowlist from recorded runs and write its seccomp profiles",
  builder: (y: Argv) =>
    y
      .positional("inputs", { describe: "traces (files, directories, globs, .gz, -); each file or -ff group is one run", type: "string", array: true })
      .option("name", { type: "string", describe: "container name; with inputs: generate it from them; without: the container of that name in the config" })
      .option("out", { type: "string", describe: "output directory (default: profiles/NAME)" })
      .option("config", { type: "string", describe: `config file mapping containers to inputs, used when no inputs are given (default: ${CONFIG_FILE}, else ${CONFIG_FALLBACK})` })
      .option("baseline", { type: "string", describe: "baselines to add, comma-separated: runc, runc-nnp, crun, crun-nnp, always, none (default: runc,always)" })
      .option("format", { type: "string", describe: `seccomp formats to write, comma-separated: ${Object.keys(SECCOMP_FORMATS).join(", ")} (default: docker)` })
      .option("arch", { type: "string", describe: `target architectures, comma-separated, one profile each (${ARCHES.join(", ")}; default: the recorded one)` })
      .option("recorded-arch", { type: "string", choices: ARCHES, describe: "architecture the traces were recorded on (default: this machine's)" })
      .option("fresh", { type: "boolean", default: false, describe: "start from the inputs alone instead of merging them into the existing allowlist" })
      .option("arg-filters", { type: "boolean", describe: "pin socket domains, personality and clone flags to observed constants (default: on; --no-arg-filters to turn off)" })
      .option("strict", { type: "boolean", default: false, describe: "fail (exit 2) on any trace diagnostic" })
      .option("jobs", { type: "number", describe: "worker threads for several inputs (default: one per core); 2 or more also splits one big file into parts parsed in parallel" })
      .option("image", { type: "string", describe: "image repository the container runs as, for Falco's scope (repeatable; Docker and CRI forms are both derived)" })
      .example("$0 generate --name web samples/web/", "profiles/web/{allowlist.yaml,seccomp.json} from the web samples")
      .example("$0 generate", `every container of ${CONFIG_FILE}`)
      .example("$0 generate --name web --format docker,oci,spo --arch x86_64,aarch64 samples/web/", "all formats, one profile per architecture") as unknown as Argv<GenerateArgs>,
  handler: async (args) => {
    const cwd = process.cwd();
    const inputs = args.inputs ?? [];
    const overrides: Record<string, unknown> = {};
    const baselines = list(args.baseline, ["runc", "runc-nnp", "crun", "crun-nnp", "always", "none"], "--baseline");
    if (baselines) overrides.baselines = baselines;
    const formats = list<SeccompFormat>(args.format, Object.keys(SECCOMP_FORMATS), "--format");
    if (formats) overrides.formats = formats;
    const arches = list<Arch>(args.arch, ARCHES, "--arch");
    if (arches) overrides.arches = arches;
    if (args["recorded-arch"] !== undefined && isArch(args["recorded-arch"])) overrides.recordedArch = args["recorded-arch"];
    if (args["arg-filters"] !== undefined) overrides.argFilters = args["arg-filters"];
    if (args.image !== undefined) overrides.images = ([] as string[]).concat(args.image);
    let jobs: ContainerJob[];
    if (inputs.length > 0) {
      if (!args.name) throw new UserError("generate with inputs needs --name NAME: the container the traces belong to");
      jobs = [jobFor(args.name, { ...overrides, inputs, ...(args.out ? { out: args.out } : {}) }, undefined, cwd)];
    } else {
      const found = await findConfig(args.config);
      if (!found) {
        throw new UserError(
          args.name
            ? `generate --name ${args.name}: no inputs given and no ${args.config ?? CONFIG_FILE} to find them in; name the traces (syscage generate --name ${args.name} samples/${args.name}/) or add the container to a config file`
            : `generate: no inputs given and no ${args.config ?? `${CONFIG_FILE} or ${CONFIG_FALLBACK}`}; run syscage generate --name NAME TRACES..., or write a config file (see README)`,
          "SC_NO_INPUTS",
        );
      }
      jobs = jobsFromConfig(found.config, found.path, args.name ? [args.name] : []).map((j) => ({ ...j, ...overrides, ...(args.out ? { out: resolve(cwd, args.out) } : {}) }) as ContainerJob);
    }
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
      // What this run changes in the profiles it replaces, before they are replaced.
      const diff = await diffWithDisk(r);
      const changes = diff.artifacts.filter((a) => a.status !== "added" && a.changes.length > 0);
      if (changes.length > 0) process.stdout.write(emitDiffText({ ...diff, artifacts: changes }, { color: Boolean(process.stdout.isTTY) }));
      await writeContainer(r);
      process.stdout.write(`${describeResult(r).join("\n")}\n  wrote ${r.files.map((f) => f.path).join(", ")}\n`);
    }
  },
};
