import type { Argv, CommandModule } from "yargs";
import { join } from "node:path";
import { recordCommand, RECORD_FLAGS } from "../../io/record.js";
import { recordContainerFromArgs, withContainerRecordOptions, type ContainerRecordArgs } from "./record-container.js";

interface RecordArgs extends ContainerRecordArgs {
  name: string;
  out?: string;
  "strace-args"?: string;
  command?: string[];
  "--"?: string[];
}

export const recordCommandModule: CommandModule<object, RecordArgs> = {
  command: "record",
  describe: "Run a command under strace and keep the trace as a new run of a container",
  builder: (y: Argv) =>
    withContainerRecordOptions(y)
      .parserConfiguration({ "populate--": true })
      .option("name", { type: "string", demandOption: true, describe: "container the run belongs to" })
      .option("out", { type: "string", describe: "directory for the run file (default: samples/NAME)" })
      .option("strace-args", { type: "string", describe: `extra strace flags, one string (syscage always uses ${RECORD_FLAGS.join(" ")})` })
      .example("$0 record --name web -- python3 -m http.server 8080", "record a web server; stop it with Ctrl-C when the workload is done")
      .example("$0 record --name db --strace-args '-tt -T' -- sqlite3 x.db .tables", "with timestamps and durations") as unknown as Argv<RecordArgs>,
  handler: async (args) => {
    if (await recordContainerFromArgs(args)) return;
    const command = args["--"] ?? [];
    const extra = args["strace-args"]?.split(/\s+/).filter(Boolean) ?? [];
    const dir = args.out ?? join("samples", args.name);
    const r = await recordCommand(dir, command.map(String), extra);
    process.stderr.write(`syscage: trace written to ${r.file}; the command exited with ${r.status}. Next: syscage generate --name ${args.name} ${dir}\n`);
    process.exitCode = r.status;
  },
};
