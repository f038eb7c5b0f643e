// The parse worker started before the command line is parsed (workers.ts): when the command line
// starts one, that the parse takes it, and that one nobody takes neither hangs nor changes a result.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../test/support/run-cli.js";
import { CLI, REPO, SAMPLES, TSX } from "../test/support/paths.js";
import { AUTO_SPLIT_BYTES, MIN_PARTS, PART_BYTES, startEarly, startParseWorker, wantsEarlyWorker } from "./workers.js";

const scratch = mkdtempSync(join(tmpdir(), "syscage-workers-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const SPLIT_MIN = MIN_PARTS * PART_BYTES;

/** A file of `bytes` that takes no disk (a hole): its size is all wantsEarlyWorker reads. */
function sparse(name: string, bytes: number): string {
  const path = join(scratch, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

describe("wantsEarlyWorker", () => {
  const sizes = new Map<string, number>([
    ["big.trace", AUTO_SPLIT_BYTES],
    ["big.trace.gz", AUTO_SPLIT_BYTES],
    ["mid.trace.gz", SPLIT_MIN / 4],
    ["mid.trace", SPLIT_MIN],
    ["small.trace", SPLIT_MIN - 1],
  ]);
  const size = (p: string) => sizes.get(p);
  const wants = (argv: string[], cores = 2) => wantsEarlyWorker(argv, size, () => cores);

  it("without --jobs: a file the default splits (AUTO_SPLIT_BYTES, not gzip, two cores)", () => {
    assert.equal(wants(["stats", "big.trace"]), true);
    assert.equal(wants(["generate", "--name", "x", "big.trace"]), true);
    assert.equal(wants(["stats", "mid.trace"]), false, "the default splits only from AUTO_SPLIT_BYTES");
    assert.equal(wants(["stats", "big.trace.gz"]), false, "the default parses gzip whole");
    assert.equal(wants(["stats", "big.trace"], 1), false, "one usable core");
  });

  it("--jobs N: a file the split takes (MIN_PARTS parts), gzip too; --jobs 1 or a bad value: none", () => {
    assert.equal(wants(["stats", "--jobs", "2", "mid.trace"]), true);
    assert.equal(wants(["stats", "--jobs=3", "mid.trace"], 1), true, "asked for: even on one core");
    assert.equal(wants(["stats", "--jobs", "2", "big.trace.gz"]), true);
    assert.equal(wants(["stats", "--jobs", "2", "mid.trace.gz"]), true, "gzip holds some four times its size, as the split reckons");
    assert.equal(wants(["stats", "--jobs", "2", "small.trace"]), false);
    assert.equal(wants(["stats", "--jobs", "1", "big.trace"]), false);
    assert.equal(wants(["stats", "--jobs", "x", "big.trace"]), false, "yargs will refuse it");
  });

  it("only the commands that parse traces, and nothing after `--`", () => {
    assert.equal(wants(["diff", "big.trace"]), false);
    assert.equal(wants(["record", "--", "cat", "big.trace"]), false);
    assert.equal(wants(["--color", "stats", "big.trace"]), true);
    assert.equal(wants(["stats", "--", "big.trace"]), false);
    assert.equal(wants(["stats", "nothing-there.trace"]), false);
  });
});

describe("startEarly", () => {
  it("starts the worker the command line wants, which the next startParseWorker() takes", async () => {
    const big = sparse("early.trace", SPLIT_MIN);
    assert.equal(startEarly(["stats", "--jobs", "1", big]), undefined);
    const w = startEarly(["stats", "--jobs", "2", big]);
    assert.ok(w, "a worker was started");
    const taken = startParseWorker();
    const other = startParseWorker();
    try {
      assert.equal(taken, w);
      assert.notEqual(other, w, "taken once");
    } finally {
      await Promise.all([taken.terminate(), other.terminate()]);
    }
  });

  it("drops a worker that ended before anyone took it (its taker would wait for events it missed)", async () => {
    const big = sparse("ended.trace", SPLIT_MIN);
    const w = startEarly(["stats", "--jobs", "2", big]);
    assert.ok(w);
    await w.terminate();
    await new Promise((r) => setImmediate(r));
    const fresh = startParseWorker();
    try {
      assert.notEqual(fresh, w);
    } finally {
      await fresh.terminate();
    }
  });
});

describe("the CLI with an early worker", () => {
  it("splits a big file on the worker it started early: the same result as one thread (stats, generate)", () => {
    const seed = readFileSync(join(SAMPLES, "web/run1.f-o.trace"), "latin1");
    const path = join(scratch, "big.trace");
    writeFileSync(path, seed.repeat(Math.ceil(SPLIT_MIN / seed.length)), "latin1");
    const two = runCli(["stats", "--json", "--jobs", "2", path]);
    const one = runCli(["stats", "--json", "--jobs", "1", path]);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(two.stdout, one.stdout);
    // Every file generate writes, byte for byte.
    const written: Record<string, string>[] = [];
    for (const jobs of ["2", "1"]) {
      const out = join(scratch, `out-${jobs}`);
      const r = runCli(["generate", "--name", "big", "--format", "docker,oci,spo", "--out", out, "--jobs", jobs, path]);
      assert.equal(r.status, 0, r.stderr);
      const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      written.push(
        Object.fromEntries(files.map((d) => [relative(out, join(d.parentPath ?? d.path, d.name)), readFileSync(join(d.parentPath ?? d.path, d.name), "utf8")])),
      );
    }
    assert.ok(Object.keys(written[0]!).length >= 5, Object.keys(written[0]!).join(" "));
    assert.deepEqual(written[0], written[1]);
  });

  it("ends at once when the worker it started is never taken (--help, a bad option)", () => {
    const big = sparse("help.trace", SPLIT_MIN);
    // A worker that kept the process alive would never end: killed after 30 s, a failure.
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", TSX, CLI, ...args], { cwd: REPO, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
    const help = run(["stats", "--jobs", "2", big, "--help"]);
    assert.equal(help.signal, null, "not killed");
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--jobs/);
    const bad = run(["stats", "--jobs", "2", big, "--no-such-option"]);
    assert.equal(bad.signal, null, "not killed");
    assert.equal(bad.status, 2, bad.stderr);
  });
});
