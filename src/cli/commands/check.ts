import type { Argv, CommandModule } from "yargs";
import { DIFF_FORMATS, type DiffFormat, emitCheckJson } from "../../emit/diff-report.js";
import { summarize } from "../../diff/compare.js";
import { diffWithDisk, generateContainer, jobsFromConfig, upToDate } from "../../io/profile-set.js";
import { UserError } from "../../model/diagnostics.js";
import { findConfig } from "../../io/jobs.js";
import { useColor } from "../options.js";

interface CheckArgs {
  config?: string;
  name?: string;
  format: DiffFormat;
  color?: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: "check",
  describe: "Regenerate every container of the config in memory; exit 1 with the diff when a committed profile is stale",
  builder: (y: Argv) =>
    y
      .option("config", { type: "string", describe: "config file (default: syscage.yaml, else profiles/syscage.yaml)" })
      .option("name", { type: "string", describe: "check only this container" })
      .option("format", {
        choices: Object.keys(DIFF_FORMATS) as DiffFormat[],
        default: "text" as DiffFormat,
        describe: "how to print the diff of stale profiles",
      })
      .option("color", { type: "boolean", describe: "colour the text format (default: on a terminal)" })
      .example("$0 check", "in CI: fails when samples or syscage changed and profiles/ was not regenerated")
      .example("$0 check --format markdown > comment.md", "the diff as a pull-request comment") as unknown as Argv<CheckArgs>,
  handler: async (args) => {
    const found = await findConfig(args.config);
    if (!found) throw new UserError("check needs a config file (syscage.yaml or profiles/syscage.yaml) naming the containers to check", "SC_NO_INPUTS");
    const reports = [];
    const stale: string[] = [];
    for (const job of jobsFromConfig(found.config, found.path, args.name ? [args.name] : [])) {
      const result = await generateContainer(job, { fresh: false });
      if (!(await upToDate(result))) {
        stale.push(job.name);
        reports.push(await diffWithDisk(result));
      }
    }
    const merged = summarize(
      "committed",
      "regenerated",
      reports.flatMap((r) => r.artifacts),
    );
    if (args.format === "json") process.stdout.write(emitCheckJson(merged, stale));
    else if (stale.length === 0) process.stdout.write("syscage check: every profile is up to date\n");
    else process.stdout.write(DIFF_FORMATS[args.format](merged, useColor(args.color)));
    if (stale.length === 0) return;
    if (args.format === "text") process.stdout.write(`syscage check: stale: ${stale.join(", ")}; run syscage generate and commit the result\n`);
    process.exitCode = 1;
  },
};
