import type { Argv } from "yargs";
import { join } from "node:path";
import { recordAttached, recordContainer } from "../../io/record-container.js";
import { UserError } from "../../model/diagnostics.js";
import { resolveArch } from "../options.js";

/** `record`'s options for containers (--runtime, --bundle, --id, --keep-full) and the --pid last resort. */
export interface ContainerRecordArgs {
  name: string;
  out?: string;
  runtime?: "runc" | "crun";
  bundle?: string;
  id?: string;
  pid?: number;
  "keep-full"?: string;
}

export function withContainerRecordOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option("runtime", {
      type: "string",
      choices: ["runc", "crun"],
      describe: "record an OCI bundle (--bundle) run by this runtime; only the container's activity is kept",
    })
    .option("bundle", { type: "string", describe: "OCI bundle directory (config.json + rootfs) to run with --runtime" })
    .option("id", { type: "string", describe: "container id for --runtime (default: a unique one)" })
    .option("keep-full", { type: "string", describe: "with --runtime: also write strace's full trace, the runtime's own activity included, to this file" })
    .option("pid", { type: "number", describe: "last resort: attach to a running process (misses everything before the attach)" })
    .example("$0 record --name web --runtime runc --bundle ./web-bundle", "record a container from its first instruction") as unknown as Argv<T>;
}

/** Handles `record --runtime/--bundle` and `record --pid`; false when neither was asked for. */
export async function recordContainerFromArgs(args: ContainerRecordArgs): Promise<boolean> {
  const dir = args.out ?? join("samples", args.name);
  if (args.runtime !== undefined || args.bundle !== undefined) {
    if (!args.runtime || !args.bundle) throw new UserError("record a container with both --runtime runc|crun and --bundle DIR", "SC_USAGE");
    const r = await recordContainer({
      dir,
      runtime: args.runtime,
      bundle: args.bundle,
      arch: resolveArch(undefined),
      ...(args.id ? { id: args.id } : {}),
      ...(args["keep-full"] ? { keepFull: args["keep-full"] } : {}),
    });
    process.stderr.write(
      `syscage: container trace written to ${r.file} (entrypoint ${r.plan.entrypoint?.path}; ${r.plan.runtimePids} runtime process(es) cut); the container exited with ${r.status}. Next: syscage generate --name ${args.name} ${dir}\n`,
    );
    process.exitCode = r.status;
    return true;
  }
  if (args.pid !== undefined) {
    process.stderr.write(
      `syscage: warning: attaching to pid ${args.pid} misses everything it did before (its start, dynamic loading, setup): the profile may lack calls; prefer --runtime/--bundle or a command\n`,
    );
    const r = await recordAttached(dir, args.pid);
    process.stderr.write(`syscage: trace written to ${r.file}. Next: syscage generate --name ${args.name} ${dir}\n`);
    return true;
  }
  return false;
}
