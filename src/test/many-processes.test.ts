// Traces with very many processes (a build under strace -f): the report must not overflow the
// engine's argument limit (130k processes once crashed `stats` in its table), and the parser and
// resource collector must forget a process once it exited, so memory follows what a profile needs,
// not the number of pids ever seen. The figure for 1M processes is scripts/bench-many-pids.mjs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarizeRuns } from "../aggregate/trace-stats.js";
import { emitStatsJson, emitStatsText } from "../emit/stats-report.js";
import { ResourceCollector } from "../parse/resources.js";
import { MAX_LISTED_PROCESSES, TraceParser } from "../parse/trace-parser.js";
import type { SyscallEvent } from "../model/trace.js";

/** A shell starting `n` short processes one after another, as `strace -f -o` prints it. */
function* buildTrace(n: number, firstPid = 1000): Generator<string> {
  yield `100  execve("/bin/sh", ["sh", "build.sh"], 0x7ffc0 /* 20 vars */) = 0`;
  for (let i = 0; i < n; i++) {
    const pid = firstPid + i;
    yield `100  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a) = ${pid}`;
    yield `${pid}  execve("/usr/bin/cc", ["cc", "-c", "f${i}.c"], 0x55d0 /* 20 vars */) = 0`;
    yield `${pid}  openat(AT_FDCWD, "/src/obj/f${i % 100}.o", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3`;
    yield `${pid}  exit_group(0)                     = ?`;
    yield `${pid}  +++ exited with 0 +++`;
    yield `100  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=${pid}, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---`;
  }
  yield `100  exit_group(0)                     = ?`;
  yield `100  +++ exited with 0 +++`;
}

function parse(lines: Iterable<string>, onSyscall?: (e: SyscallEvent) => void): { parser: TraceParser; result: ReturnType<TraceParser["finish"]> } {
  const parser = new TraceParser({ id: "t", files: ["t"] }, onSyscall ? { arch: "x86_64", onSyscall } : { arch: "x86_64" });
  parser.beginFile("t");
  let n = 0;
  for (const l of lines) parser.line(l, ++n, true);
  return { parser, result: parser.finish() };
}

function tracked(o: object, field: string): number {
  return ((o as unknown as Record<string, Map<unknown, unknown>>)[field] as Map<unknown, unknown>).size;
}

describe("many processes", () => {
  it("stats reports a 130k-process trace without overflowing, listing the first processes and counting all", () => {
    const { result } = parse(buildTrace(130_000));
    assert.equal(result.processCount, 130_001);
    assert.equal(result.processes.length, MAX_LISTED_PROCESSES);
    assert.deepEqual(result.counts.x86_64?.execve, { calls: 130_001, errors: 0, unfinished: 0 });
    const stats = summarizeRuns([result]);
    const text = emitStatsText(stats);
    assert.match(text, /\.\.\. and 120001 more processes \(130001 in all, 10000 listed\)/);
    assert.equal((JSON.parse(emitStatsJson(stats)) as { runs: { processCount: number }[] }).runs[0]!.processCount, 130_001);
  });

  it("forgets each process once it exited (parser and resource collector), whatever the number of pids", () => {
    const collector = new ResourceCollector({ file: "t" });
    let maxTracked = 0;
    let seen = 0;
    const { parser, result } = parse(buildTrace(50_000), (e) => {
      collector.observe(e);
      if (++seen % 1000 === 0) maxTracked = Math.max(maxTracked, tracked(collector, "procs"));
    });
    assert.ok(maxTracked <= 3, `the resource collector held ${maxTracked} processes`);
    assert.ok(tracked(parser, "procs") <= 2, `the parser still holds ${tracked(parser, "procs")} processes`);
    assert.equal(result.processCount, 50_001);
    const files = collector.result().files.filter((f) => f.path.startsWith("/src/obj/"));
    assert.equal(files.length, 100);
  });

  it("a reused pid is a new process, and a child that exits before its clone result keeps its parent", () => {
    const lines = [
      `100  execve("/bin/sh", ["sh"], 0x1 /* 1 vars */) = 0`,
      `100  vfork( <unfinished ...>`,
      `200  execve("/bin/true", ["true"], 0x1 /* 1 vars */) = 0`,
      `200  exit_group(0)                     = ?`,
      `200  +++ exited with 0 +++`,
      `100  <... vfork resumed>)              = 200`,
      `100  clone(child_stack=NULL, flags=SIGCHLD) = 200`,
      `200  exit_group(3)                     = ?`,
      `200  +++ exited with 3 +++`,
      `100  exit_group(0)                     = ?`,
      `100  +++ exited with 0 +++`,
    ];
    const { result } = parse(lines);
    assert.equal(result.processCount, 3);
    const twos = result.processes.filter((p) => p.pid === 200);
    assert.equal(twos.length, 2);
    assert.deepEqual(
      twos.map((p) => [p.parent, p.exit]),
      [
        [100, { kind: "exited", code: 0 }],
        [100, { kind: "exited", code: 3 }],
      ],
    );
    assert.deepEqual(twos[0]!.execs, ["/bin/true"]);
  });
});
