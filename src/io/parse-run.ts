import { createHash } from "node:crypto";
import type { ObservedRun, RunResult } from "../model/trace.js";
import { ArgValueCollector } from "../parse/arg-values.js";
import { ResourceCollector } from "../parse/resources.js";
import { diagnostic } from "../model/diagnostics.js";
import { HeapGuard } from "./heap-guard.js";
import { TraceParser, type ParseOptions } from "../parse/trace-parser.js";
import type { InputRun } from "./inputs.js";
import { bareCalls } from "./parse-part.js";
import { openInput, readLines } from "./read-lines.js";

export interface RunParseOptions extends ParseOptions {
  /** Also hash the content and collect argument constants (what `generate` needs). */
  observe?: boolean;
  /** A resource collector the caller feeds from `onSyscall`: told the stream's order as parseRun's own is. */
  resources?: ResourceCollector;
}

/** Reads every file of a run, streaming, and returns what the parser learnt. */
export async function parseRun(run: InputRun, options: RunParseOptions & { observe: true }): Promise<ObservedRun>;
export async function parseRun(run: InputRun, options: RunParseOptions): Promise<RunResult>;
export async function parseRun(run: InputRun, options: RunParseOptions): Promise<RunResult | ObservedRun> {
  const { runFiles, ...source } = run;
  const hash = options.observe ? createHash("sha256") : undefined;
  const collector = options.observe ? new ArgValueCollector() : undefined;
  // One resource collector for the run: -ff files come parent first (lowest pid), so children
  // inherit cwd and fds at their clone as they would in one -f trace.
  const resources = options.observe ? new ResourceCollector({ file: source.id }) : undefined;
  // The parser (and the tracker) keep every live process's state: on a trace of very many
  // processes, collect the dead ones in time.
  const guard = new HeapGuard();
  const outer = options.onSyscall;
  const onSyscall = collector
    ? (e: Parameters<NonNullable<ParseOptions["onSyscall"]>>[0]) => {
        collector.observe(e);
        resources?.observe(e);
        outer?.(e);
      }
    : outer;
  // Calls neither collector reads (most reads, writes, mmaps) reach the resource collector as a pid
  // only: no event object or strings are made for them. Not when a caller wants every event.
  const bare = resources && !outer ? bareCalls((pid) => resources.observeBare(pid)) : {};
  const parser = new TraceParser({ id: source.id, files: source.files }, onSyscall ? { arch: options.arch, onSyscall, ...bare } : { arch: options.arch });
  // One output stream (not -ff files, whose order is file by file): a process no clone can
  // announce any more starts at once.
  const first = runFiles[0];
  if (runFiles.length === 1 && first && first.pid === undefined) {
    const startsNow = () => parser.unannouncedStartsNow();
    resources?.followStream(startsNow);
    options.resources?.followStream(startsNow);
  }
  for (const f of runFiles) {
    parser.beginFile(f.display, f.pid);
    // File boundaries are part of the content: two -ff files are not their concatenation.
    hash?.update(`\0${f.pid ?? ""}\0`);
    let stream;
    try {
      stream = openInput(f.path);
    } catch (e) {
      parser.fileDiagnostic("SC_INPUT_UNREADABLE", `cannot open: ${(e as Error).message}`);
      continue;
    }
    await readLines(stream, {
      line: (text, lineNo, complete) => parser.line(text, lineNo, complete),
      bytes: (n, chunk) => {
        parser.addBytes(n);
        hash?.update(chunk);
        guard.read(n);
      },
      problem: (code, message, lineNo) => parser.fileDiagnostic(code, message, lineNo),
    });
  }
  const result = parser.finish();
  if (!hash || !collector) return result;
  const diagnostics = [...result.diagnostics];
  for (const p of resources?.problems() ?? []) diagnostics.push(diagnostic("SC_UNSAFE_VALUE", source.id, p.line, 0, p.message));
  return { ...result, diagnostics, sha256: hash.digest("hex"), argValues: collector.result(), resources: result.events > 0 ? resources?.result() : undefined };
}
