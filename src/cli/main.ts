import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { UserError } from "../model/diagnostics.js";
import { checkCommand } from "./commands/check.js";
import { diffCommand } from "./commands/diff.js";
import { falcoCommand } from "./commands/falco.js";
import { generateCommand } from "./commands/generate.js";
import { recordCommandModule } from "./commands/record.js";
import { statsCommand } from "./commands/stats.js";
import { verifyCommand } from "./commands/verify.js";
import { baselineCommand } from "./commands/baseline.js";
import { STDIN_ARG } from "../io/inputs.js";

/** yargs drops a lone `-` (standard input) from positionals: carry it through as a token. */
function protectStdinArg(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return argv.map((a, i) => (a === "-" && (end < 0 || i < end) ? STDIN_ARG : a));
}

/** Runs the CLI; exit codes: 0 success, 1 findings (diff/check gates), 2 user error or --strict diagnostics. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // `syscage diff ... | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    await yargs(protectStdinArg(argv))
      .scriptName("syscage")
      .usage("$0 <command> [options]\n\nTurn recorded strace traces into least-privilege security profiles.")
      .command(recordCommandModule)
      .command(generateCommand)
      .command(falcoCommand)
      .command(diffCommand)
      .command(checkCommand)
      .command(statsCommand)
      .command(verifyCommand)
      .command(baselineCommand)
      .demandCommand(1, "name a command; see the list above")
      .strict()
      .recommendCommands()
      .help()
      .alias("h", "help")
      .version()
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .fail((msg, err) => {
        if (err) throw err;
        process.stderr.write(`syscage: ${msg}\nRun 'syscage --help' for usage.\n`);
        process.exit(2);
      })
      .parseAsync();
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`syscage: ${e.message} (${e.code})\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`syscage: internal error, please report it with the command you ran:\n${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  }
}
