// Which containers a command works on: from the inputs and flags, or from the config file. The CLI
// parses flags into `overrides`; this decides the jobs (and says what to do when there are none),
// so `generate`, `check` and `falco` resolve them the same way and no command imports another.

import { resolve } from "node:path";
import { CONFIG_FALLBACK, CONFIG_FILE, jobFor, jobsFromConfig, readConfig, type ContainerJob } from "./profile-set.js";
import type { Config, ContainerConfig } from "../model/config.js";
import { UserError } from "../model/diagnostics.js";

/** The config file: the one named, else ./syscage.yaml, else profiles/syscage.yaml. */
export async function findConfig(named: string | undefined): Promise<{ config: Config; path: string } | undefined> {
  for (const path of named ? [named] : [CONFIG_FILE, CONFIG_FALLBACK]) {
    const config = await readConfig(path);
    if (config) return { config, path };
    if (named) throw new UserError(`${named}: no such config file`, "SC_CONFIG");
  }
  return undefined;
}

export interface JobRequest {
  /** Traces named on the command line; with them, `name` is required and no config is read. */
  inputs: string[];
  name?: string;
  out?: string;
  config?: string;
  /** Settings from flags; they win over the config's. */
  overrides: Partial<ContainerConfig>;
  cwd: string;
}

/** The jobs of `generate`: one container from its inputs, or the config's containers (or the named one). */
export async function resolveJobs(r: JobRequest): Promise<ContainerJob[]> {
  if (r.inputs.length > 0) {
    if (!r.name) throw new UserError("generate with inputs needs --name NAME: the container the traces belong to");
    return [jobFor(r.name, { ...r.overrides, inputs: r.inputs, ...(r.out ? { out: r.out } : {}) }, undefined, r.cwd)];
  }
  const found = await findConfig(r.config);
  if (!found) {
    throw new UserError(
      r.name
        ? `generate --name ${r.name}: no inputs given and no ${r.config ?? CONFIG_FILE} to find them in; name the traces (syscage generate --name ${r.name} samples/${r.name}/) or add the container to a config file`
        : `generate: no inputs given and no ${r.config ?? `${CONFIG_FILE} or ${CONFIG_FALLBACK}`}; run syscage generate --name NAME TRACES..., or write a config file (see README)`,
      "SC_NO_INPUTS",
    );
  }
  return jobsFromConfig(found.config, found.path, r.name ? [r.name] : []).map(
    (j) => ({ ...j, ...r.overrides, ...(r.out ? { out: resolve(r.cwd, r.out) } : {}) }) as ContainerJob,
  );
}
