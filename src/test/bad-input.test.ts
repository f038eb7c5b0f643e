// Bad input gives a diagnostic with the right code and location, and parsing goes on.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import { FIXTURES } from "./support/paths.js";

const ERRORS = join(FIXTURES, "_error_");

async function parseFile(path: string) {
  const runs = await expandInputs([path]);
  assert.equal(runs.length, 1);
  const names: string[] = [];
  const result = await parseRun(runs[0]!, { arch: "x86_64", onSyscall: (e) => names.push(e.name) });
  return { result, names };
}

describe("bad-input fixtures", () => {
  for (const dir of readdirSync(ERRORS).sort()) {
    it(dir, async () => {
      const input = readdirSync(join(ERRORS, dir)).find((f) => f.startsWith("input"))!;
      const expected = JSON.parse(readFileSync(join(ERRORS, dir, "expected.json"), "utf8")) as { diagnostics: { code: string; line: number; col: number }[] };
      const { result } = await parseFile(join(ERRORS, dir, input));
      assert.deepEqual(
        result.diagnostics.map((d) => ({ code: d.code, line: d.line, col: d.col })),
        expected.diagnostics,
        JSON.stringify(result.diagnostics, null, 1),
      );
      for (const d of result.diagnostics) assert.match(d.file, new RegExp(`${dir}/input`));
    });
  }
});

describe("awkward but valid input", () => {
  const tmp = mkdtempSync(join(tmpdir(), "syscage-input-"));

  it("reads gzip by its magic bytes, whatever the file name", async () => {
    const p = join(tmp, "trace-compressed");
    writeFileSync(p, gzipSync('openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3\nclose(3) = 0\n'));
    const { result, names } = await parseFile(p);
    assert.deepEqual(names, ["openat", "close"]);
    assert.deepEqual(result.diagnostics, []);
  });

  it("handles lines of megabytes (-s 1000000 -xx)", async () => {
    const p = join(tmp, "long.trace");
    const big = "\\x41".repeat(1_000_000);
    writeFileSync(p, `9  write(1, "${big}", 1000000) = 1000000\n9  close(1) = 0\n`);
    const { result, names } = await parseFile(p);
    assert.deepEqual(names, ["write", "close"]);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.counts.x86_64?.write?.calls, 1);
  });

  it("handles CRLF line endings", async () => {
    const p = join(tmp, "crlf.trace");
    writeFileSync(p, 'close(3) = 0\r\nread(3, "", 1) = 0\r\n');
    const { result, names } = await parseFile(p);
    assert.deepEqual(names, ["close", "read"]);
    assert.deepEqual(result.diagnostics, []);
  });

  it("groups the P.PID files of one -ff recording into one run", async () => {
    const dir = mkdtempSync(join(tmp, "ff-"));
    writeFileSync(
      join(dir, "run.100"),
      "clone(child_stack=NULL, flags=SIGCHLD) = 101\nwait4(-1, NULL, 0, NULL) = 101\nexit_group(0) = ?\n+++ exited with 0 +++\n",
    );
    writeFileSync(join(dir, "run.101"), 'execve("/bin/true", ["true"], 0x7ffd /* 1 var */) = 0\nexit_group(0) = ?\n+++ exited with 0 +++\n');
    writeFileSync(join(dir, "other.trace"), "close(3) = 0\n");
    const runs = await expandInputs([dir]);
    assert.deepEqual(
      runs.map((r) => r.files.length),
      [1, 2],
    );
    const r = await parseRun(runs[1]!, { arch: "x86_64" });
    assert.deepEqual(
      r.processes.map((p) => [p.pid, p.parent, p.execs]),
      [
        [100, undefined, []],
        [101, 100, ["/bin/true"]],
      ],
    );
  });

  it("a line over the maximum length is reported with its start, and the rest is read", async () => {
    const { readLines, MAX_LINE_BYTES } = await import("../io/read-lines.js");
    const { Readable } = await import("node:stream");
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let sent = 0;
    const total = MAX_LINE_BYTES + (2 << 20);
    const src = new Readable({
      read() {
        if (sent === 0) this.push(Buffer.from('close(3) = 0\nwrite(1, "'));
        if (sent < total) {
          sent += chunk.length;
          this.push(chunk);
        } else {
          this.push(Buffer.from('", 5) = 5\nclose(4) = 0\n'));
          this.push(null);
        }
      },
    });
    const lines: string[] = [];
    const problems: string[] = [];
    await readLines(src, { line: (t) => lines.push(t.slice(0, 20)), bytes: () => {}, problem: (c, m, l) => problems.push(`${c}@${l} ${m.slice(0, 90)}`) });
    assert.deepEqual(lines, ["close(3) = 0", "close(4) = 0"]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^SC_LINE_TOO_LONG@2 .*starts "write\(1, "aaa/);
  });
});
