import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Arch } from "../model/arch.js";
import { ContainerCutPlanner, CutFilter, type CutPlan } from "../parse/container-cut.js";
import { parseRun } from "./parse-run.js";
import { openInput, readLines } from "./read-lines.js";

/** Parses a full trace of an OCI runtime and plans which lines are the container's (see parse/container-cut.ts). */
export async function planContainerCut(file: string, arch: Arch): Promise<CutPlan> {
  const planner = new ContainerCutPlanner();
  await parseRun({ id: file, files: [file], runFiles: [{ path: file, display: file }] }, { arch, onSyscall: (e) => planner.observe(e) });
  return planner.plan();
}

/** Writes the container's lines of `file` to `out`, byte for byte; returns how many lines were kept. */
export async function writeContainerCut(file: string, plan: CutPlan, out: string): Promise<number> {
  const filter = new CutFilter(plan);
  const ws = createWriteStream(out, { encoding: "latin1" });
  let kept = 0;
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const ok = ws.write(pending.join(""), "latin1");
    pending = [];
    if (!ok) await once(ws, "drain");
  };
  await readLines(openInput(file), {
    line: (text, lineNo, complete) => {
      if (!filter.keepLine(text, lineNo)) return;
      kept++;
      pending.push(complete ? `${text}\n` : text);
    },
    bytes: () => {},
    problem: () => {},
  });
  await flush();
  ws.end();
  await once(ws, "finish");
  return kept;
}
