import type { Arch } from "../../model/arch.js";
import type { SyscallEvent } from "../../model/trace.js";
import { TraceParser, type RunResult } from "../../parse/trace-parser.js";

/** Parses trace text held in memory (as the line reader would feed it) and collects every event. */
export function parseText(text: string, options: { arch?: Arch; file?: string; pid?: number } = {}): { events: SyscallEvent[]; result: RunResult } {
  const events: SyscallEvent[] = [];
  const file = options.file ?? "test.trace";
  const parser = new TraceParser({ id: file, files: [file] }, { arch: options.arch ?? "x86_64", onSyscall: (e) => events.push(e) });
  parser.beginFile(file, options.pid);
  const lines = text.split("\n");
  const complete = text.endsWith("\n");
  if (complete) lines.pop();
  lines.forEach((l, i) => {
    parser.line(l, i + 1, complete || i < lines.length - 1);
  });
  return { events, result: parser.finish() };
}
