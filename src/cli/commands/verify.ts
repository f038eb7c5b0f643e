import type { Argv, CommandModule } from "yargs";
import { emitVerifyJson, emitVerifyText } from "../../emit/verify-report.js";
import { verifyProfile, type VerifyRuntime } from "../../io/verify.js";
import { resolveArch } from "../options.js";

interface VerifyArgs {
  profile: string;
  runtime: VerifyRuntime;
  json: boolean;
  nnp: boolean;
  "keep-trace"?: string;
  "--"?: string[];
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: "verify",
  describe: "Run a command under a seccomp profile and report every call the profile denies (exit 0 none, 1 some, 2 error)",
  builder: (y: Argv) =>
    y
      .parserConfiguration({ "populate--": true })
      .option("profile", { type: "string", demandOption: true, describe: "seccomp profile (Docker or OCI JSON)" })
      .option("runtime", {
        type: "string",
        choices: ["emulate", "runc", "crun"],
        default: "emulate",
        describe:
          "emulate: strace injects the profile's errors (no root); runc/crun: the kernel enforces it in a throwaway container showing the host's /usr and /etc read-only (root)",
      })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON (schemaVersion 1); the command's output then goes to stderr" })
      .option("nnp", { type: "boolean", default: false, describe: "runc/crun: run with no-new-privileges" })
      .option("keep-trace", { type: "string", describe: "also write strace's full trace of the run to this file" })
      .example("$0 verify --profile profiles/shell/seccomp.json -- sh -c 'echo x | cat'", "emulated: what would the profile deny?")
      .example("$0 verify --profile profiles/shell/seccomp.oci.json --runtime runc -- sh -c 'echo x | cat'", "enforced by runc") as unknown as Argv<VerifyArgs>,
  handler: async (args) => {
    const report = await verifyProfile({
      profilePath: args.profile,
      runtime: args.runtime,
      command: (args["--"] ?? []).map(String),
      arch: resolveArch(undefined),
      commandStdout: args.json ? "stderr" : "inherit",
      noNewPrivileges: args.nnp,
      ...(args["keep-trace"] ? { keepTrace: args["keep-trace"] } : {}),
    });
    process.stdout.write(args.json ? emitVerifyJson(report) : emitVerifyText(report));
    process.exitCode = report.failed ? 1 : 0;
  },
};
