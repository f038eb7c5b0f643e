// strace's own -C summary is the oracle: for a trace recorded with `strace -f -C`, the per-syscall
// calls and errors the parser counts from the trace lines must equal strace's table exactly.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import type { RunResult } from "../parse/trace-parser.js";
import { SAMPLES, exists } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";

function assertTraceMatchesTable(r: RunResult, label: string): void {
  assert.ok(r.tables.length > 0, `${label}: no summary table found`);
  assert.ok(r.events > 0, `${label}: no trace lines found`);
  for (const t of r.tables) {
    const fromTrace: Record<string, { calls: number; errors: number }> = {};
    for (const [name, c] of Object.entries(r.counts[t.arch] ?? {})) if (c.calls > 0) fromTrace[name] = { calls: c.calls, errors: c.errors };
    const fromTable = Object.fromEntries(Object.entries(t.rows).sort(([a], [b]) => (a < b ? -1 : 1)));
    assert.deepEqual(fromTrace, fromTable, `${label}: trace counts differ from strace's ${t.arch} table`);
  }
  assert.deepEqual(
    r.diagnostics.filter((d) => d.code === "SC_TABLE_MISMATCH" || d.code === "SC_TABLE_TOTAL"),
    [],
  );
}

describe("oracle: committed samples recorded with -C", () => {
  it("every sample that holds a trace and its table agrees with it", async () => {
    if (!exists(SAMPLES)) return assert.fail("samples/ is missing");
    const runs = await expandInputs([SAMPLES]);
    let checked = 0;
    for (const run of runs) {
      const r = await parseRun(run, { arch: "x86_64" });
      if (r.kind !== "trace+summary") continue;
      assertTraceMatchesTable(r, run.id);
      checked++;
    }
    assert.ok(checked >= 2, `only ${checked} samples hold a trace and its -C table`);
  });
});

const WORKLOADS: { name: string; cmd: string[] }[] = [
  {
    name: "shell pipeline with a failing command",
    cmd: ["sh", "-c", "ls / | sort | head -3 >/dev/null; cat /nonexistent 2>/dev/null; echo $(date +%s) >/dev/null; true"],
  },
  {
    name: "python threads and a child process",
    cmd: [
      "/usr/bin/python3",
      "-c",
      "import threading, subprocess\nts=[threading.Thread(target=lambda: sum(range(100000))) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nsubprocess.run(['true'])\nopen('/nonexistent-x') if False else None",
    ],
  },
  {
    name: "node with a worker thread",
    cmd: [
      process.execPath,
      "-e",
      "const {Worker}=require('worker_threads'); new Worker('require(\"worker_threads\").parentPort.postMessage(1)',{eval:true}).on('message',()=>process.exit(0))",
    ],
  },
];

const FLAG_SETS: { name: string; flags: string[]; stderr?: boolean }[] = [
  { name: "-f -C -o", flags: ["-f", "-C"] },
  { name: "-f -C -tt -T -y -s 512", flags: ["-f", "-C", "-tt", "-T", "-y", "-s", "512"] },
  { name: "-f -C -xx -i", flags: ["-f", "-C", "-xx", "-i"] },
  { name: "-f -C to stderr ([pid N] form)", flags: ["-f", "-C"], stderr: true },
];

describe("oracle: fresh recordings made by this test", { skip: skipUnless("strace", "python3") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "syscage-oracle-"));
  let n = 0;
  for (const w of WORKLOADS) {
    for (const f of FLAG_SETS) {
      it(`${w.name}, strace ${f.name}`, async () => {
        const out = join(tmp, `rec-${n++}.trace`);
        const args = f.stderr ? [...f.flags, ...w.cmd] : [...f.flags, "-o", out, ...w.cmd];
        const r = spawnSync("strace", args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 28, timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr?.slice(-500));
        if (f.stderr) (await import("node:fs")).writeFileSync(out, r.stderr);
        const [run] = await expandInputs([out]);
        const result = await parseRun(run!, { arch: "x86_64" });
        assertTraceMatchesTable(result, `${w.name} ${f.name}`);
        assert.ok(readFileSync(out, "utf8").length > 0);
      });
    }
  }
});
