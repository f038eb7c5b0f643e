import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { defaultReplayImage, falcoFieldsOf, formatAlert, replayRules, type ReplayAlert } from "../../aggregate/falco-replay.js";
import { readIfExists } from "../../io/files.js";
import { replayActivities } from "../../io/replay-runs.js";
import { UserError } from "../../model/diagnostics.js";
import { FalcoConditionError, readFalcoRules, type FalcoRulesModel } from "../../parse/falco-condition.js";
import { jobsFromConfig, outPath } from "../../io/profile-set.js";
import { resolveArch } from "../options.js";
import { findConfig } from "../../io/jobs.js";

/**
 * Which of the paths are Falco rules (a profile directory holding falco-rules.yaml, or a .yaml
 * file: falco-rules.yaml or a later file extending it) and which are traces.
 */
async function splitPaths(paths: readonly string[]): Promise<{ rules: string[]; traces: string[] }> {
  const rules: string[] = [];
  const traces: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (st?.isDirectory() && (await stat(join(p, "falco-rules.yaml")).catch(() => undefined))?.isFile()) rules.push(join(p, "falco-rules.yaml"));
    else if (/\.ya?ml$/.test(p)) rules.push(basename(p) === "allowlist.yaml" ? join(dirname(p), "falco-rules.yaml") : p);
    else traces.push(p);
  }
  return { rules, traces };
}

async function readRules(files: readonly string[]): Promise<FalcoRulesModel> {
  const texts: { name: string; text: string }[] = [];
  for (const f of files) {
    const text = await readIfExists(f);
    if (text === undefined) throw new UserError(`${f}: no such rules file (run syscage generate first)`, "SC_INPUT_NOT_FOUND");
    texts.push({ name: f, text });
  }
  try {
    return readFalcoRules(texts);
  } catch (e) {
    if (e instanceof FalcoConditionError) throw new UserError(`${files.join(", ")}: ${e.message}`, "SC_FALCO_RULES", { cause: e });
    throw e;
  }
}

/** `syscage falco --replay TRACE... RULES...`: the alerts the rules would raise on the traces. Exit 1 when any. */
export async function replayFalco(args: {
  paths: string[];
  json: boolean;
  arch?: string | undefined;
  image?: string | string[] | undefined;
  config?: string | undefined;
}): Promise<void> {
  const { rules: ruleFiles, traces } = await splitPaths(args.paths);
  if (ruleFiles.length === 0) {
    // Without rules named, the config's container, when it has exactly one.
    const found = await findConfig(args.config).catch(() => undefined);
    const jobs = found ? jobsFromConfig(found.config, found.path, []) : [];
    const only = jobs.length === 1 ? jobs[0] : undefined;
    if (only === undefined) {
      const names = jobs.map((j) => j.name).join(", ");
      throw new UserError(
        `falco --replay: expected a profile directory (profiles/NAME) or a rules .yaml file among the arguments, got none${names ? ` (the config has ${names})` : ""}`,
        "SC_NO_INPUTS",
      );
    }
    ruleFiles.push(outPath(only, "falco-rules.yaml"));
  }
  if (traces.length === 0) throw new UserError("falco --replay: expected trace files or directories to replay, got none", "SC_NO_INPUTS");
  const rules = await readRules(ruleFiles);
  const given = ([] as string[]).concat(args.image ?? []);
  const image = given.length > 0 ? given[given.length - 1]!.replace(/^[^=]*=/, "") : defaultReplayImage(rules);
  if (image === undefined)
    throw new UserError(
      `${ruleFiles.join(", ")}: cannot tell which image the traces ran as, expected one syscage_NAME_images list or --image IMAGE`,
      "SC_FALCO_IMAGE",
    );
  const arch = resolveArch(args.arch);
  const alerts: ReplayAlert[] = [];
  let error: unknown;
  const { diagnostics } = await replayActivities(traces, arch, (run, a) => {
    if (error !== undefined) return;
    const fields = falcoFieldsOf(a, image);
    if (fields === undefined) return;
    try {
      alerts.push(...replayRules(rules, [{ file: run, line: a.line, fields }]));
    } catch (e) {
      error = e;
    }
  });
  if (error !== undefined) {
    if (error instanceof FalcoConditionError) throw new UserError(`${ruleFiles.join(", ")}: ${error.message}`, "SC_FALCO_RULES", { cause: error });
    throw error;
  }
  for (const d of diagnostics) process.stderr.write(`${d}\n`);
  // A trace that could not be read is an error, whatever fired on the rest.
  if (diagnostics.length > 0) process.exitCode = 2;
  if (args.json) process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
  else {
    for (const a of alerts) process.stdout.write(`${formatAlert(a)}\n`);
    const fired = new Set(alerts.map((a) => a.rule)).size;
    process.stderr.write(`syscage: ${alerts.length} alert(s) from ${fired} rule(s) of ${ruleFiles.join(", ")} on ${traces.join(", ")}\n`);
  }
  if (alerts.length > 0 && process.exitCode !== 2) process.exitCode = 1;
}
