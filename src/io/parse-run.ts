import { TraceParser, type ParseOptions, type RunResult } from "../parse/trace-parser.js";
import type { InputRun } from "./inputs.js";
import { openInput, readLines } from "./read-lines.js";

/** Reads every file of a run, streaming, and returns what the parser learnt. */
export async function parseRun(run: InputRun, options: ParseOptions): Promise<RunResult> {
  const { runFiles, ...source } = run;
  const parser = new TraceParser({ id: source.id, files: source.files }, options);
  for (const f of runFiles) {
    parser.beginFile(f.display, f.pid);
    let stream;
    try {
      stream = openInput(f.path);
    } catch (e) {
      parser.fileDiagnostic("SC_INPUT_UNREADABLE", `cannot open: ${(e as Error).message}`);
      continue;
    }
    await readLines(stream, {
      line: (text, lineNo, complete) => parser.line(text, lineNo, complete),
      bytes: (n) => parser.addBytes(n),
      problem: (code, message, lineNo) => parser.fileDiagnostic(code, message, lineNo),
    });
  }
  return parser.finish();
}
