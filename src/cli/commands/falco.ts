import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { runsWithResources, withoutValues } from "../../aggregate/resources.js";
import { emitFalcoRules, FALCO_SCOPES, findFalcoProblems, type FalcoContainer, type FalcoScope } from "../../emit/falco.js";
import { replayFalco } from "./falco-replay.js";
import { emitTalonRules, TALON_RESPONSES, type TalonResponse } from "../../emit/falco-talon.js";
import { readIfExists, writeFileAtomic } from "../../io/files.js";
import { jobsFromConfig, outPath } from "../../io/profile-set.js";
import { parseYamlFile } from "../../io/yaml-file.js";
import { allowlistSchema, type Allowlist } from "../../model/allowlist.js";
import { formatDiagnostic, diagnostic, UserError } from "../../model/diagnostics.js";
import type { ContainerResources } from "../../model/resources.js";
import type { Arch } from "../../model/arch.js";
import { allowedSyscalls } from "../../pipeline/render-container.js";
import { findConfig } from "../../io/jobs.js";

interface FalcoArgs {
  allowlists?: string[];
  config?: string;
  image?: string | string[];
  out?: string;
  "syscall-rule": boolean;
  scope?: FalcoScope;
  replay: boolean;
  json: boolean;
  talon: boolean;
  "talon-response": TalonResponse;
  arch?: string;
}

/** `web=python,docker.io/library/python` -> images of container web. */
function imageMap(values: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UserError(`--image ${v}: expected NAME=IMAGE[,IMAGE...], e.g. web=docker.io/library/python`);
    m.set(v.slice(0, eq), [
      ...(m.get(v.slice(0, eq)) ?? []),
      ...v
        .slice(eq + 1)
        .split(",")
        .filter(Boolean),
    ]);
  }
  return m;
}

async function readAllowlist(path: string): Promise<Allowlist> {
  const st = await stat(path).catch(() => undefined);
  const file = st?.isDirectory() ? join(path, "allowlist.yaml") : path;
  const text = await readIfExists(file);
  if (text === undefined) throw new UserError(`${file}: no such allowlist (run syscage generate first)`, "SC_INPUT_NOT_FOUND");
  return parseYamlFile(text, file, allowlistSchema, "SC_ALLOWLIST");
}

export const falcoCommand: CommandModule<object, FalcoArgs> = {
  command: "falco [allowlists..]",
  describe: "Export Falco drift rules for one or more containers into one rules file, from their allowlists",
  builder: (y: Argv) =>
    y
      .positional("allowlists", {
        type: "string",
        array: true,
        describe: "allowlist.yaml files or profile directories (default: every container of the config)",
      })
      .option("config", { type: "string", describe: "config file for the containers' images (default: syscage.yaml, else profiles/syscage.yaml)" })
      .option("image", { type: "string", describe: "NAME=IMAGE[,IMAGE...]: images of a container, when the config does not name them (repeatable)" })
      .option("out", { type: "string", describe: "write the rules here (atomically) instead of standard output" })
      .option("syscall-rule", { type: "boolean", default: false, describe: "add the syscall allowlist rule (disabled, see its desc for why)" })
      .option("scope", {
        type: "string",
        choices: FALCO_SCOPES,
        describe:
          "allow what was recorded per executable (process) or for any process of the image (image); default: falcoScope of the config, else process where the runs recorded processes",
      })
      .option("replay", {
        type: "boolean",
        default: false,
        describe:
          "evaluate the rules files of the given profiles (profiles/NAME, or rules .yaml files, in load order) on the given traces; print the alerts; exit 1 if a rule fires",
      })
      .option("talon", {
        type: "boolean",
        default: false,
        describe: "write a Falco Talon rules file instead: the response (label or terminate the pod) to these containers' drift rules, matched by their tags",
      })
      .option("talon-response", {
        type: "string",
        choices: TALON_RESPONSES,
        default: "label",
        describe: "with --talon: label the pod (syscage-drift=true) or terminate it",
      })
      .option("json", { type: "boolean", default: false, describe: "with --replay: print the alerts as a JSON array" })
      .option("arch", { type: "string", describe: "with --replay: architecture the traces were recorded on (default: this machine's)" })
      .example("$0 falco --replay samples/web/ profiles/web", "would the rules of profiles/web fire on these recorded runs?")
      .example("$0 falco > /etc/falco/rules.d/syscage.yaml", "every container of the config, for a Falco deployment's custom rules")
      .example("$0 falco profiles/web profiles/db --image web=python --image db=postgres", "chosen containers") as unknown as Argv<FalcoArgs>,
  handler: async (args) => {
    if (args.replay) return replayFalco({ paths: args.allowlists ?? [], json: args.json, arch: args.arch, image: args.image, config: args.config });
    const found = await findConfig(args.config).catch(() => undefined);
    const images = imageMap(([] as string[]).concat(args.image ?? []));
    const sources: { allowlist: Allowlist; images: string[]; label: string; arches?: Arch[]; scope?: FalcoScope | undefined }[] = [];
    if (args.allowlists && args.allowlists.length > 0) {
      const configured = new Map(found ? jobsFromConfig(found.config, found.path, []).map((j) => [j.name, j]) : []);
      for (const p of args.allowlists) {
        const a = await readAllowlist(p);
        const job = configured.get(a.name);
        sources.push({
          allowlist: a,
          images: images.get(a.name) ?? job?.images ?? [],
          label: p,
          ...(job ? { arches: job.arches, scope: job.falcoScope } : {}),
        });
      }
    } else {
      if (!found) throw new UserError("falco needs allowlists (profiles/NAME or allowlist.yaml) or a config file naming the containers", "SC_NO_INPUTS");
      for (const job of jobsFromConfig(found.config, found.path, [])) {
        const p = outPath(job, "allowlist.yaml");
        sources.push({ allowlist: await readAllowlist(p), images: images.get(job.name) ?? job.images, label: p, arches: job.arches, scope: job.falcoScope });
      }
    }
    const all: (FalcoContainer & { label: string })[] = [];
    for (const s of sources) {
      if (!s.allowlist.resources) throw new UserError(`${s.label}: the allowlist holds no resources (its runs are summary tables only)`, "SC_NO_RUNS");
      if (s.images.length === 0)
        throw new UserError(
          `${s.label}: no images for container ${s.allowlist.name}; add images: to the config or pass --image ${s.allowlist.name}=IMAGE`,
          "SC_FALCO_IMAGE",
        );
      // The same names generate gives the container's Falco rules (its configured arches).
      const syscalls = allowedSyscalls(s.allowlist, s.arches);
      all.push({
        name: s.allowlist.name,
        images: s.images,
        resources: s.allowlist.resources as ContainerResources,
        syscalls,
        runs: runsWithResources(s.allowlist.runs),
        label: s.label,
        ...(s.scope !== undefined ? { scope: s.scope } : {}),
      });
    }
    // Checked together: one container's list names could break another's literals.
    const options = { syscallRule: args["syscall-rule"], ...(args.scope !== undefined ? { scope: args.scope } : {}) };
    const problems = findFalcoProblems(all, options);
    const fatal = problems.find((p) => p.code !== "SC_FALCO_VALUE");
    if (fatal)
      throw new UserError(
        `${all.find((c) => c.name === fatal.container)?.label ?? fatal.container}: ${fatal.what} ${JSON.stringify(fatal.value)}: ${fatal.reason}`,
        fatal.code,
      );
    const containers: FalcoContainer[] = all.map(({ label, ...c }) => {
      const mine = problems.filter((p) => p.container === c.name);
      if (mine.length === 0) return c;
      for (const p of mine)
        process.stderr.write(`${formatDiagnostic(diagnostic("SC_UNSAFE_VALUE", label, 0, 0, `${p.what} ${JSON.stringify(p.value)} left out: ${p.reason}`))}\n`);
      return { ...c, resources: withoutValues(c.resources, new Set(mine.map((p) => p.value))) };
    });
    const text = args.talon
      ? emitTalonRules(
          containers.map((c) => c.name),
          { response: args["talon-response"] },
        )
      : emitFalcoRules(containers, options);
    if (args.out) {
      await writeFileAtomic(args.out, text);
      process.stderr.write(`syscage: wrote ${args.out} (${containers.length} container(s))\n`);
    } else process.stdout.write(text);
  },
};
