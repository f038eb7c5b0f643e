import type { Argv, CommandModule } from "yargs";
import { shouldFail } from "../../diff/compare.js";
import { diffArtifacts, NotAnArtifactError, recognize, loadReaderSchemas } from "../../diff/diff-artifacts.js";
import { isArtifactInputError } from "../../diff/artifact-input-error.js";
import { ARTIFACT_READERS } from "../../pipeline/artifacts.js";
import { ARTIFACT_KINDS } from "../../model/artifacts.js";
import { DIFF_FORMATS, type DiffFormat } from "../../emit/diff-report.js";
import { GITHUB_COMMENT_LIMIT, emitPrComment } from "../../emit/pr-comment.js";
import { loadSide, pairSingles } from "../../io/artifact-sets.js";
import { FAIL_ON, type FailOn } from "../../model/diff.js";
import { UserError } from "../../model/diagnostics.js";
import { useColor } from "../options.js";

interface DiffArgs {
  old: string;
  new: string;
  format: DiffFormat;
  "fail-on"?: FailOn;
  color?: boolean;
  "max-bytes"?: number;
  "full-report"?: string;
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: "diff <old> <new>",
  describe: `Show what changed between two versions of profiles, semantically (${ARTIFACT_KINDS.join(", ")})`,
  builder: (y: Argv) =>
    y
      .positional("old", { type: "string", demandOption: true, describe: "file, profile directory, or REF:PATH in git (origin/main:profiles/web)" })
      .positional("new", { type: "string", demandOption: true, describe: "file, profile directory, or REF:PATH" })
      .option("format", {
        choices: Object.keys(DIFF_FORMATS) as DiffFormat[],
        default: "text" as DiffFormat,
        describe: "text (colour on a terminal), markdown (a pull-request comment) or json",
      })
      .option("fail-on", { choices: FAIL_ON, describe: "exit 1 when a change of this kind is present: added (any new permission), risky, removed, any" })
      .option("color", { type: "boolean", describe: "colour the text format (default: when stdout is a terminal)" })
      .option("max-bytes", {
        type: "number",
        describe: `markdown: a pull-request comment of at most N bytes (GitHub's limit is ${GITHUB_COMMENT_LIMIT}), with a hidden marker line; shortened to the summary, the risky lines and the artifact table when needed`,
      })
      .option("full-report", {
        type: "string",
        describe: "with --max-bytes: where the shortened comment says the full report is (default: the job summary of this workflow run)",
      })
      .example("$0 diff origin/main:profiles/web profiles/web", "what a branch changes in a container's profiles")
      .example("$0 diff --format markdown --fail-on risky origin/main:profiles profiles", "a pull-request comment; fail CI on risky grants")
      .example(
        "$0 diff data/moby-seccomp-default.json profiles/web/seccomp.x86_64.json",
        "Docker's default profile against a generated one",
      ) as unknown as Argv<DiffArgs>,
  handler: async (args) => {
    const [a, b] = await Promise.all([loadSide(args.old), loadSide(args.new)]);
    if (a.single && b.single) {
      // Two files: each must be an artifact, both of one kind; never a guess from the other's name.
      const kinds = [a, b].map((side) => {
        const [name, text] = [...side.files][0]!;
        const kind = recognize(ARTIFACT_READERS, name, text);
        if (kind === undefined) throw new UserError(new NotAnArtifactError(side.label, ARTIFACT_KINDS).message, "SC_DIFF_INPUT");
        return kind;
      });
      if (kinds[0] !== kinds[1])
        throw new UserError(`${a.label} is ${kinds[0]}, ${b.label} is ${kinds[1]}: only two files of one kind can be compared`, "SC_DIFF_INPUT");
    }
    const [before, after] = pairSingles(a, b);
    let report;
    await loadReaderSchemas();
    try {
      report = diffArtifacts(a.label, before, b.label, after, ARTIFACT_READERS, { strict: a.single && b.single });
    } catch (e) {
      // A file that is not what it was taken for is the user's; anything else is a bug (with its stack).
      if (!isArtifactInputError(e)) throw e;
      throw new UserError((e as Error).message, "SC_DIFF_INPUT", { cause: e });
    }
    if (report.artifacts.length === 0)
      throw new UserError(`nothing to compare: neither ${a.label} nor ${b.label} holds a file of a known kind (${ARTIFACT_KINDS.join(", ")})`, "SC_DIFF_INPUT");
    const maxBytes = args["max-bytes"];
    if (maxBytes !== undefined) {
      if (args.format !== "markdown")
        throw new UserError(`--max-bytes shapes a Markdown comment; add --format markdown (got --format ${args.format})`, "SC_USAGE");
      if (!Number.isInteger(maxBytes) || maxBytes < 1024)
        throw new UserError(`--max-bytes: expected a whole number of at least 1024, got ${String(maxBytes)}`, "SC_USAGE");
      process.stdout.write(emitPrComment(report, { maxBytes, ...(args["full-report"] ? { fullReportAt: args["full-report"] } : {}) }));
    } else process.stdout.write(DIFF_FORMATS[args.format](report, useColor(args.color)));
    if (args["fail-on"] && shouldFail(report, args["fail-on"])) process.exitCode = 1;
  },
};
