import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { UserError } from "../model/diagnostics.js";
import { STDIN_ARG } from "../io/inputs.js";

// Each command is imported only when it runs: `stats` need not load YAML, zod and the emitters
// (startup is a tenth of a second per 100 MB of trace). `--help` and unknown commands load all.
type AnyCommand = CommandModule<object, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  record: async () => (await import("./commands/record.js")).recordCommandModule,
  generate: async () => (await import("./commands/generate.js")).generateCommand,
  falco: async () => (await import("./commands/falco.js")).falcoCommand,
  diff: async () => (await import("./commands/diff.js")).diffCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  stats: async () => (await import("./commands/stats.js")).statsCommand,
};

/** The command modules to register: the one `argv` names, else all (in the order help lists them). */
async function commandsFor(argv: string[]): Promise<AnyCommand[]> {
  const first = argv.find((a) => !a.startsWith("-"));
  const names = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  return Promise.all(names.map((n) => COMMANDS[n]!()));
}

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
      .command(await commandsFor(argv))
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
