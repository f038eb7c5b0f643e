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
