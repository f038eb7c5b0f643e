import type { Argv } from "yargs";
import { ARCHES, archOfNode, isArch, type Arch } from "../model/arch.js";
import { UserError } from "../model/diagnostics.js";

export interface ArchArg {
  arch?: string;
}

export function archOption<T>(y: Argv<T>): Argv<T & ArchArg> {
  return y.option("arch", {
    alias: "recorded-arch",
    type: "string",
    choices: ARCHES,
    describe: "architecture the trace was recorded on (its 64-bit personality); default: this machine's",
  }) as Argv<T & ArchArg>;
}

export function resolveArch(value: string | undefined): Arch {
  if (value === undefined) return archOfNode(process.arch);
  if (!isArch(value)) throw new UserError(`--arch: unknown architecture "${value}", expected one of ${ARCHES.join(", ")}`);
  return value;
}

/**
 * Whether to colour text output: `--color`/`--no-color` if given; else NO_COLOR (any non-empty
 * value, no-color.org) turns it off; else FORCE_COLOR turns it on (off when "0" or "false", as
 * Node and chalk read it); else only when stdout is a terminal.
 */
export function useColor(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env, isTTY: boolean = Boolean(process.stdout.isTTY)): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return isTTY;
}
