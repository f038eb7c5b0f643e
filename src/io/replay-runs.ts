import type { Arch } from "../model/arch.js";
import { ResourceCollector, type ProcessActivity } from "../parse/resources.js";
import { expandInputs } from "./inputs.js";
import { parseRun } from "./parse-run.js";

/**
 * Streams every event of the traces that a syscage Falco rule watches (programs executed, files
 * opened, connections, accepts, listens), with the process state the parser tracks (executable,
 * parent's executable, fds), to `onEvent` with the run's name. Nothing is kept per event.
 */
export async function replayActivities(
  inputs: string[],
  arch: Arch,
  onEvent: (run: string, a: ProcessActivity) => void,
): Promise<{ runs: number; diagnostics: string[] }> {
  const runs = await expandInputs(inputs);
  const diagnostics: string[] = [];
  for (const run of runs) {
    const collector = new ResourceCollector({ file: run.id, onActivity: (a) => onEvent(run.id, a) });
    const result = await parseRun(run, { arch, onSyscall: (e) => collector.observe(e), resources: collector });
    collector.result();
    for (const d of result.diagnostics) if (d.severity === "error") diagnostics.push(`${d.file}:${d.line}: ${d.message} (${d.code})`);
  }
  return { runs: runs.length, diagnostics };
}
