import type { Argv, CommandModule } from "yargs";
import { summarizeRuns } from "../../aggregate/trace-stats.js";
import { emitStatsJson, emitStatsText } from "../../emit/stats-report.js";
import { expandInputs } from "../../io/inputs.js";
import { parseRuns } from "../../io/parse-runs.js";
import { escapeControlLines } from "../../model/diagnostics.js";
import { archOption, JOBS_HELP, resolveArch, wholeNumber, type ArchArg } from "../options.js";

interface StatsArgs extends ArchArg {
  inputs: string[];
  json: boolean;
  strict: boolean;
  jobs?: number;
}

export const statsCommand: CommandModule<object, StatsArgs> = {
  command: "stats <inputs..>",
  describe: "Show what strace traces and -c tables contain: syscalls with calls, failures and unfinished calls, processes, diagnostics",
  builder: (y: Argv) =>
    archOption(y)
      .positional("inputs", {
        describe: "trace files, directories, globs, .gz files, or - for standard input; the files P.PID of one strace -ff recording form one run",
        type: "string",
        array: true,
        demandOption: true,
      })
      .option("json", { type: "boolean", default: false, describe: "print one JSON object (schemaVersion 1) instead of tables" })
      .option("strict", { type: "boolean", default: false, describe: "treat every diagnostic as an error: exit 2 if there is any" })
      .option("jobs", {
        type: "string",
        coerce: wholeNumber("--jobs", 1, 1024),
        describe: JOBS_HELP,
      })
      .example("$0 stats samples/", "every sample trace, one run per file (or per -ff group)")
      .example("strace -f -o /dev/stdout ls | $0 stats -", "a trace on standard input")
      .example("$0 stats --json trace.txt | jq .syscalls", "counts as JSON") as unknown as Argv<StatsArgs>,
  handler: async (args) => {
    const arch = resolveArch(args.arch);
    const runs = await expandInputs(args.inputs);
    const results = await parseRuns(runs, args.jobs === undefined ? { arch } : { arch, jobs: args.jobs });
    const stats = summarizeRuns(results);
    process.stdout.write(args.json ? emitStatsJson(stats) : escapeControlLines(emitStatsText(stats)));
    const hasError = stats.diagnostics.some((d) => d.severity === "error");
    if (hasError || (args.strict && stats.diagnostics.length > 0)) process.exitCode = 2;
  },
};
