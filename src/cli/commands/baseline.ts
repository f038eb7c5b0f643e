import type { Argv, CommandModule } from "yargs";
import { join } from "node:path";
import { emitMeasuredBaseline } from "../../emit/measured-baseline.js";
import { measureBaseline } from "../../io/baseline.js";
import { writeFileAtomic } from "../../io/files.js";
import { BASELINES } from "../../model/baselines.js";
import { baselineNames } from "../../aggregate/build-allowlist.js";
import { resolveArch } from "../options.js";

interface BaselineArgs {
  runtime: "runc" | "crun";
  nnp: boolean;
  runs: number;
  out?: string;
}

export const baselineCommand: CommandModule<object, BaselineArgs> = {
  command: "baseline",
  describe: "Measure what the installed OCI runtime runs under the seccomp filter (for generate --measured-baseline)",
  builder: (y: Argv) =>
    y
      .option("runtime", { type: "string", choices: ["runc", "crun"], demandOption: true, describe: "the runtime to measure (needs root)" })
      .option("nnp", { type: "boolean", default: false, describe: "with no-new-privileges (the runtime loads the filter later)" })
      .option("runs", { type: "number", default: 3, describe: "containers to record; the baseline is the union of their calls" })
      .option("out", { type: "string", describe: "file to write (default: profiles/baselines/RUNTIME[-nnp].yaml)" })
      .example(
        "$0 baseline --runtime runc && $0 generate --measured-baseline profiles/baselines/runc.yaml --name web samples/web",
        "measure runc, then build on it",
      ) as unknown as Argv<BaselineArgs>,
  handler: async (args) => {
    const arch = resolveArch(undefined);
    const b = await measureBaseline(args.runtime, args.nnp, Math.max(1, Math.floor(args.runs)), arch);
    const out = args.out ?? join("profiles", "baselines", `${b.name}.yaml`);
    await writeFileAtomic(out, emitMeasuredBaseline(b));
    const measured = b.syscalls[arch] ?? [];
    const builtin = baselineNames(b.name, arch);
    const extra = measured.filter((n) => !builtin.includes(n));
    const unused = builtin.filter((n) => !measured.includes(n));
    process.stdout.write(
      `${b.name}: ${b.version}: ${measured.length} syscalls under the filter on ${arch} (built-in list: ${builtin.length}; from ${BASELINES[b.name].source.split(";")[0]})\n` +
        `  measured, not in the built-in list: ${extra.join(", ") || "none"}\n` +
        `  built-in, not measured here: ${unused.join(", ") || "none"}\n` +
        `  wrote ${out}; use it with: syscage generate --measured-baseline ${out} ...\n`,
    );
  },
};
