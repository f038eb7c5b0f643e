import type { Argv, CommandModule } from "yargs";
import { join } from "node:path";
import { recordCommand, RECORD_FLAGS } from "../../io/record.js";
import { recordAttached, recordContainer } from "../../io/record-container.js";
import { resolveArch } from "../options.js";
import { UserError } from "../../model/diagnostics.js";

interface RecordArgs {
  name: string;
  out?: string;
  "strace-args"?: string;
  command?: string[];
  runtime?: "runc" | "crun";
  bundle?: string;
  id?: string;
  pid?: number;
  "keep-full"?: string;
  "--"?: string[];
}

export const recordCommandModule: CommandModule<object, RecordArgs> = {
  command: "record",
  describe: "Run a command under strace and keep the trace as a new run of a container",
  builder: (y: Argv) =>
    y
      .parserConfiguration({ "populate--": true })
      .option("name", { type: "string", demandOption: true, describe: "container the run belongs to" })
      .option("out", { type: "string", describe: "directory for the run file (default: samples/NAME)" })
      .option("strace-args", { type: "string", describe: `extra strace flags, one string (syscage always uses ${RECORD_FLAGS.join(" ")})` })
      .option("runtime", { type: "string", choices: ["runc", "crun"], describe: "record an OCI bundle (--bundle) run by this runtime; only the container's activity is kept" })
      .option("bundle", { type: "string", describe: "OCI bundle directory (config.json + rootfs) to run with --runtime" })
      .option("id", { type: "string", describe: "container id for --runtime (default: a unique one)" })
      .option("keep-full", { type: "string", describe: "with --runtime: also write strace's full trace, the runtime's own activity included, to this file" })
      .option("pid", { type: "number", describe: "last resort: attach to a running process (misses everything before the attach)" })
      .example("$0 record --name web --runtime runc --bundle ./web-bundle", "record a container from its first instruction")
      .example("$0 record --name web -- python3 -m http.server 8080", "record a web server; stop it with Ctrl-C when the workload is done")
      .example("$0 record --name db --strace-args '-tt -T' -- sqlite3 x.db .tables", "with timestamps and durations") as unknown as Argv<RecordArgs>,
  handler: async (args) => {
    const dir0 = args.out ?? join("samples", args.name);
    if (args.runtime !== undefined || args.bundle !== undefined) {
      if (!args.runtime || !args.bundle) throw new UserError("record a container with both --runtime runc|crun and --bundle DIR", "SC_USAGE");
      const r = await recordContainer({ dir: dir0, runtime: args.runtime, bundle: args.bundle, arch: resolveArch(undefined), ...(args.id ? { id: args.id } : {}), ...(args["keep-full"] ? { keepFull: args["keep-full"] } : {}) });
      process.stderr.write(`syscage: container trace written to ${r.file} (entrypoint ${r.plan.entrypoint?.path}; ${r.plan.runtimePids} runtime process(es) cut); the container exited with ${r.status}. Next: syscage generate --name ${args.name} ${dir0}\n`);
      process.exitCode = r.status;
      return;
    }
    if (args.pid !== undefined) {
      process.stderr.write(`syscage: warning: attaching to pid ${args.pid} misses everything it did before (its start, dynamic loading, setup): the profile may lack calls; prefer --runtime/--bundle or a command\n`);
      const r = await recordAttached(dir0, args.pid);
      process.stderr.write(`syscage: trace written to ${r.file}. Next: syscage generate --name ${args.name} ${dir0}\n`);
      return;
    }
    const command = args["--"] ?? [];
    const extra = args["strace-args"]?.split(/\s+/).filter(Boolean) ?? [];
    const dir = args.out ?? join("samples", args.name);
    const r = await recordCommand(dir, command.map(String), extra);
    process.stderr.write(`syscage: trace written to ${r.file}; the command exited with ${r.status}. Next: syscage generate --name ${args.name} ${dir}\n`);
    process.exitCode = r.status;
  },
};
