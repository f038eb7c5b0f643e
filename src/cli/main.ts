import { readFileSync } from "node:fs";
import yargs, { type Argv, type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { UserError } from "../model/diagnostics.js";
import { terminalSafe } from "../model/untrusted-text.js";
import { STDIN_ARG } from "../io/inputs.js";

// Each command is imported only when it runs: `stats` need not load YAML, zod and the emitters
// (startup is a tenth of a second per 100 MB of trace). `--help` and unknown commands load all.
// biome-ignore lint/suspicious/noExplicitAny: each command has its own argument type; yargs takes them in one list
type AnyCommand = CommandModule<object, any>;
const COMMAND_LOADERS: Record<string, () => Promise<AnyCommand>> = {
  record: async () => (await import("./commands/record.js")).recordCommandModule,
  generate: async () => (await import("./commands/generate.js")).generateCommand,
  falco: async () => (await import("./commands/falco.js")).falcoCommand,
  diff: async () => (await import("./commands/diff.js")).diffCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  stats: async () => (await import("./commands/stats.js")).statsCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
  baseline: async () => (await import("./commands/baseline.js")).baselineCommand,
};

/** The command modules to register: the one `argv` names, else all (in the order help lists them). */
async function commandsFor(argv: string[]): Promise<AnyCommand[]> {
  const first = argv.find((a) => !a.startsWith("-"));
  const names = first !== undefined && Object.hasOwn(COMMAND_LOADERS, first) ? [first] : Object.keys(COMMAND_LOADERS);
  return Promise.all(names.map((n) => COMMAND_LOADERS[n]!()));
}

/** yargs drops a lone `-` (standard input) from positionals: carry it through as a token. */
function protectStdinArg(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return argv.map((a, i) => (a === "-" && (end < 0 || i < end) ? STDIN_ARG : a));
}

/** ...and gives it back to the commands as `-`, the name every input reader knows. */
function restoreStdinArg(value: unknown): unknown {
  if (value === STDIN_ARG) return "-";
  return Array.isArray(value) ? value.map(restoreStdinArg) : value;
}

/**
 * syscage's own version: package.json beside dist/ (or src/), found from this file, never from the
 * cwd. This file is src/cli/main.ts, dist/cli/main.js, or part of the bundle dist/cli.js.
 */
export function ownVersion(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    let text: string;
    try {
      text = readFileSync(new URL(up, import.meta.url), "utf8");
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: string; version?: string };
    if (pkg.name === "syscage" && typeof pkg.version === "string") return pkg.version;
  }
  throw new Error("syscage's package.json is not beside dist/ or src/");
}

/** Options whose value may itself start with `-` (`--strace-args '-tt -T'`); yargs would read it as flags. */
const DASH_VALUES = new Set(["strace-args"]);

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Checks the command line before yargs reads it, because yargs reports an unknown command as
 * "Unknown argument", and an unknown flag that swallows the next word (`stats --bogus FILE`) as
 * "Not enough non-option arguments". Also joins `--strace-args -tt` into `--strace-args=-tt`.
 */
export function precheckArgs(argv: string[], commands: readonly AnyCommand[]): string[] {
  const end = argv.indexOf("--");
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const cmdIndex = head.findIndex((a) => !a.startsWith("-") || a === STDIN_ARG);
  if (cmdIndex < 0) return argv;
  const word = head[cmdIndex] as string;
  const mod = commands.find((c) => String(c.command).split(" ")[0] === word);
  if (!mod) throw new UserError(`unknown command "${word}", expected one of ${Object.keys(COMMAND_LOADERS).join(", ")}`, "SC_USAGE");
  const probe = yargs([]);
  if (typeof mod.builder === "function") (mod.builder as (y: Argv) => unknown)(probe);
  // getOptions() is public in yargs 18 but missing from @types/yargs.
  const opts = (probe as unknown as { getOptions(): { key?: Record<string, unknown>; alias?: Record<string, string[]>; boolean?: string[] } }).getOptions();
  const known = new Set<string>(["help", "h", "version"]);
  for (const k of opts.key ? Object.keys(opts.key) : []) known.add(k);
  for (const [k, aliases] of Object.entries(opts.alias ?? {})) for (const a of [k, ...aliases]) known.add(a);
  const booleans = new Set<string>([...(opts.boolean ?? []), "help", "h", "version"]);
  const out = [...head];
  for (let i = cmdIndex + 1; i < out.length; i++) {
    const tok = out[i] as string;
    if (!tok.startsWith("-") || tok === "-" || /^-\d/.test(tok)) continue;
    const eq = tok.indexOf("=");
    const raw = (eq < 0 ? tok : tok.slice(0, eq)).replace(/^--?/, "");
    const name = kebab(raw);
    const base = name.startsWith("no-") && known.has(name.slice(3)) ? name.slice(3) : name;
    if (!tok.startsWith("--") && raw.length > 1) {
      for (const ch of raw) if (!known.has(ch)) throw new UserError(`unknown option -${ch} for "${word}"; see syscage ${word} --help`, "SC_USAGE");
      continue;
    }
    if (!known.has(base))
      throw new UserError(`unknown option ${tok.startsWith("--") ? "--" : "-"}${raw} for "${word}"; see syscage ${word} --help`, "SC_USAGE");
    if (eq >= 0 || booleans.has(base) || base !== name) continue;
    const next = out[i + 1];
    if (next !== undefined && DASH_VALUES.has(base) && next.startsWith("-")) out.splice(i, 2, `--${base}=${next}`);
    else i++; // the option's value, whatever it looks like
  }
  return [...out, ...tail];
}

/**
 * As it calls a command's handler, yargs renders the whole help text (string-width over every line:
 * 10-25 ms, a tenth of a small run) and keeps it, for a failure message that shows the help. fail()
 * below never shows it, so the rendering is wasted: skip it. yargs has no option for that; if its
 * internals ever change shape, nothing is skipped and nothing else changes.
 */
function skipHelpCache(cli: Argv): void {
  const internal = cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}

/** Runs the CLI; exit codes: 0 success, 1 findings (diff/check gates), 2 user error or --strict diagnostics. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // `syscage diff ... | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    // `syscage --version` alone prints what yargs would, without loading every command to get there.
    if (argv.length === 1 && argv[0] === "--version") {
      process.stdout.write(`${ownVersion()}\n`);
      return;
    }
    const commands = await commandsFor(argv);
    const cli = yargs(precheckArgs(protectStdinArg(argv), commands));
    skipHelpCache(cli);
    await cli
      .scriptName("syscage")
      .usage("$0 <command> [options]\n\nTurn recorded strace traces into least-privilege security profiles.")
      .command(commands)
      .middleware((args) => {
        for (const k of Object.keys(args)) args[k] = restoreStdinArg(args[k]);
      })
      .demandCommand(1, "name a command; see the list above")
      .strict()
      .recommendCommands()
      .help()
      .alias("h", "help")
      .version(ownVersion())
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .fail((msg, err) => {
        // yargs wraps what an option's coerce threw (a bad number) in a YError: a usage error too.
        if (err && err.name !== "YError") throw err;
        process.stderr.write(`syscage: ${terminalSafe(msg ?? err?.message ?? "")} (SC_USAGE)\nRun 'syscage --help' for usage.\n`);
        process.exit(2);
      })
      .parseAsync();
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`syscage: ${terminalSafe(e.message)} (${e.code})\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`syscage: internal error, please report it with the command you ran:\n${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  }
}
