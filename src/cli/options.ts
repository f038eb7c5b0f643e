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

/** `--jobs` of the commands that parse traces (AUTO_SPLIT_BYTES in io/workers.ts is the size; a test keeps them together). */
export const JOBS_HELP =
  "threads: several inputs are parsed one per thread (default: one per core, a CPU limit counted); one file of 256 MiB or more (not gzip) is split into parts parsed on two threads (--jobs N: on N threads, any file of 32 MiB or more; --jobs 1: one thread); a trace of very many short processes goes on in one thread, where two are slower";

/**
 * yargs `coerce` for a whole-number option: `--jobs abc`, `--jobs 0`, `--jobs 1.5` or a repeated
 * option is a user error (one line, exit 2), never a NaN that silently drops work.
 */
export function wholeNumber(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => number | undefined {
  return (value: unknown) => {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) throw new UserError(`${flag}: given ${value.length} times, expected once`);
    const text = String(value).trim();
    const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new UserError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(String(value))}`);
    return n;
  };
}
