// The CLI as a user runs it: output shapes, exit codes, errors that name the problem.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../test/support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "syscage-cli-"));
const trace = join(tmp, "a.trace");
writeFileSync(
  trace,
  [
    '500   execve("/bin/cat", ["cat", "/x"], 0x7ffd /* 3 vars */) = 0',
    '500   openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory)',
    '500   openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3',
    "500   exit_group(1)                     = ?",
    "500   +++ exited with 1 +++",
    "",
  ].join("\n"),
);

describe("syscage stats", () => {
  it("--json prints syscalls with calls, errors and unfinished, and the run's processes", () => {
    const r = runCli(["stats", "--json", trace]);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.schemaVersion, 1);
    assert.deepEqual(s.syscalls, {
      execve: { calls: 1, errors: 0, unfinished: 0 },
      exit_group: { calls: 0, errors: 0, unfinished: 1 },
      openat: { calls: 2, errors: 1, unfinished: 0 },
    });
    assert.deepEqual(s.runs[0].processes, [{ pid: 500, execs: ["/bin/cat"], arches: ["x86_64"], signals: [], exit: { kind: "exited", code: 1 } }]);
    assert.deepEqual(s.diagnostics, []);
  });

  it("prints a readable table by default", () => {
    const r = runCli(["stats", trace]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^3 syscalls, 3 calls \(1 failed, 1 unfinished\) in 1 run\(s\)/);
    assert.match(r.stdout, /openat\s+2\s+1\s+x86_64/);
    assert.match(r.stdout, /500\s+x86_64\s+exit 1\s+\/bin\/cat/);
  });

  it("reads standard input with -", () => {
    const r = runCli(["stats", "--json", "-"], { input: "close(3) = 0\n" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).syscalls, { close: { calls: 1, errors: 0, unfinished: 0 } });
  });

  it("reports diagnostics with file:line:col and code, exit 0 without --strict, 2 with it", () => {
    const bad = join(tmp, "bad.trace");
    writeFileSync(bad, "close(3) = 0\nnot a strace line\n");
    const lax = runCli(["stats", bad]);
    assert.equal(lax.status, 0);
    assert.match(lax.stdout, /bad\.trace:2:1: warning: .*\(SC_NOT_STRACE\)/);
    const strict = runCli(["stats", "--strict", bad]);
    assert.equal(strict.status, 2);
  });

  it("a missing input is an error naming the path (exit 2)", () => {
    const r = runCli(["stats", join(tmp, "nope.trace")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /nope\.trace: no such file or directory \(SC_INPUT_NOT_FOUND\)/);
    assert.equal(r.stdout, "");
  });

  it("a glob that matches nothing is an error", () => {
    const r = runCli(["stats", join(tmp, "*.nothing")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no file matches this pattern/);
  });

  it("binary input is an error (exit 2)", () => {
    const bin = join(tmp, "bin.trace");
    writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    const r = runCli(["stats", bin]);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /SC_BINARY_INPUT/);
  });

  it("several files are parsed on worker threads with the same result as one thread", () => {
    const b = join(tmp, "b.trace");
    writeFileSync(b, '7  close(3) = 0\n7  read(3, "", 1) = -1 EBADF (Bad file descriptor)\n');
    const many = runCli(["stats", "--json", "--jobs", "2", trace, b]);
    const one = runCli(["stats", "--json", "--jobs", "1", trace, b]);
    assert.equal(many.status, 0, many.stderr);
    assert.equal(many.stdout, one.stdout);
    assert.equal(JSON.parse(many.stdout).runs.length, 2);
  });

  it("--help teaches: commands, inputs, examples", () => {
    const r = runCli(["stats", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /-ff recording form one run/);
    assert.match(r.stdout, /Examples:/);
  });

  it("an unknown command exits 2 with usage", () => {
    const r = runCli(["frobnicate"]);
    assert.equal(r.status, 2);
  });
});
