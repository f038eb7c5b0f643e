// No run is lost and bad places give one located line: real `generate` processes against real
// file systems (a tmpfs when the test may mount one).
// - two `generate` processes into one output directory at once both succeed and the allowlist
//   holds both runs (without the lock, one run is lost in most tries);
// - a lock left by a killed process is taken over; one held by a live process makes `generate`
//   wait, then fail with SC_LOCKED;
// - a container's files change together: temporaries first, renames with the allowlist last; a full
//   disk leaves every old file byte-identical and no temporary behind; stale temporaries of a
//   killed run are removed by the next;
// - --out that is a file, a dangling symlink, a path through a file, or an allowlist.yaml that is a
//   directory; special files as input; symlinks in input directories; bad numbers: exit 2, one line.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LOCK_FILE, writeFilesTogether } from "../io/output-dir.js";
import { CLI, SAMPLES, TSX } from "./support/paths.js";
import { runCli } from "./support/run-cli.js";

const TRACE_A = join(SAMPLES, "db", "run1.f-C.trace");
const TRACE_B = join(SAMPLES, "db", "run3.f-x-s128.trace");
const TABLE = join(SAMPLES, "runtime", "run3.f-cw.table");

let dir = "";
before(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "syscage-writes-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function runAsync(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

function runShas(out: string): string[] {
  return [...readFileSync(join(out, "allowlist.yaml"), "utf8").matchAll(/sha256: ([0-9a-f]{64})/g)].map((m) => m[1]!);
}

/** exit 2 with exactly one `syscage: ... (CODE)` line and no stack. */
function assertOneLine(r: { status: number; stderr: string }, code: string, mentions: string): void {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("Run 'syscage --help'"));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, new RegExp(`\\(${code}\\)$`), r.stderr);
  assert.ok(lines[0]!.includes(mentions), `${lines[0]} does not name ${mentions}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
}

describe("one writer per output directory", () => {
  it("two generate processes at once both land in the allowlist (3 tries)", async () => {
    for (let i = 0; i < 3; i++) {
      const out = join(dir, `concurrent-${i}`);
      const [a, b] = await Promise.all([
        runAsync(["generate", "--name", "db", "--out", out, TRACE_A], dir),
        runAsync(["generate", "--name", "db", "--out", out, TRACE_B], dir),
      ]);
      assert.equal(a.status, 0, a.stderr);
      assert.equal(b.status, 0, b.stderr);
      assert.equal(new Set(runShas(out)).size, 2, `try ${i}: a run was lost`);
      assert.equal(existsSync(join(out, LOCK_FILE)), false);
    }
  });

  it("takes over the lock of a killed process and removes its temporaries", () => {
    const out = join(dir, "stale");
    mkdirSync(out);
    const dead = spawnSync("true");
    writeFileSync(join(out, LOCK_FILE), `${dead.pid}\n`);
    writeFileSync(join(out, `.seccomp.json.${dead.pid}.0a1b2c3d.syscage-tmp`), "half");
    writeFileSync(join(out, ".0123456789ab.tmp"), "half, from writeFileAtomic");
    const r = runCli(["generate", "--name", "db", "--out", out, TRACE_A], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["allowlist.yaml", "apparmor.profile", "seccomp.json"]);
  });

  it("waits for a live writer, then fails with SC_LOCKED naming the lock, leaving it alone", () => {
    const out = join(dir, "held");
    mkdirSync(out);
    writeFileSync(join(out, LOCK_FILE), `${process.pid}\n`);
    const r = runCli(["generate", "--name", "db", "--out", out, "--wait", "1", TRACE_A], { cwd: dir });
    const lines = r.stderr.trim().split("\n");
    assert.match(lines[0]!, new RegExp(`waiting for .*held: another syscage \\(pid ${process.pid}\\)`));
    assertOneLine({ status: r.status, stderr: lines.slice(1).join("\n") }, "SC_LOCKED", LOCK_FILE);
    assert.equal(readFileSync(join(out, LOCK_FILE), "utf8"), `${process.pid}\n`);
    assert.deepEqual(readdirSync(out), [LOCK_FILE]);
  });

  it("a live pid with another start time (the pid was reused after a kill) is a stale lock", () => {
    const out = join(dir, "reused");
    mkdirSync(out);
    writeFileSync(join(out, LOCK_FILE), `${process.pid} 1\n`);
    const r = runCli(["generate", "--name", "db", "--out", out, "--wait", "1", TRACE_A], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(out, LOCK_FILE)), false);
  });
});

describe("a container's files change together", () => {
  it("refuses before writing anything when one target is a directory", async () => {
    const out = join(dir, "together");
    mkdirSync(join(out, "apparmor.profile"), { recursive: true });
    writeFileSync(join(out, "allowlist.yaml"), "old");
    await assert.rejects(
      writeFilesTogether([
        { path: join(out, "allowlist.yaml"), content: "new" },
        { path: join(out, "seccomp.json"), content: "new" },
        { path: join(out, "apparmor.profile"), content: "new" },
      ]),
      /apparmor\.profile: cannot write it: it is a directory/,
    );
    assert.deepEqual(readdirSync(out).sort(), ["allowlist.yaml", "apparmor.profile"]);
    assert.equal(readFileSync(join(out, "allowlist.yaml"), "utf8"), "old");
  });

  it("a run killed between its renames (new profiles, old allowlist, temporaries) is repaired by the next", () => {
    const out = join(dir, "killed");
    const ref = join(dir, "killed-ref");
    assert.equal(runCli(["generate", "--name", "db", "--out", out, TRACE_A], { cwd: dir }).status, 0);
    assert.equal(runCli(["generate", "--name", "db", "--out", ref, TRACE_A, TRACE_B], { cwd: dir }).status, 0);
    // What a kill after the first renames leaves: the profiles of A+B beside the allowlist of A.
    copyFileSync(join(ref, "seccomp.json"), join(out, "seccomp.json"));
    writeFileSync(join(out, `.allowlist.yaml.4242.deadbeef.syscage-tmp`), readFileSync(join(ref, "allowlist.yaml")));
    writeFileSync(join(out, LOCK_FILE), "4242 1\n");
    const r = runCli(["generate", "--name", "db", "--out", out, TRACE_B], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["allowlist.yaml", "apparmor.profile", "seccomp.json"]);
    for (const f of readdirSync(ref))
      assert.equal(readFileSync(join(out, f), "utf8"), readFileSync(join(ref, f), "utf8").replaceAll("killed-ref", "killed"), f);
  });

  const mnt = () => join(dir, "tmpfs");
  let mounted = false;
  before(() => {
    mkdirSync(mnt());
    mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "none", mnt()], { stdio: "ignore" }).status === 0;
  });
  after(() => {
    if (mounted) spawnSync("umount", [mnt()]);
  });

  it("a full disk (ENOSPC on a 64 KiB tmpfs) changes nothing and leaves no temporary", (t) => {
    if (!mounted) return t.skip("cannot mount a tmpfs here (needs root)");
    const out = join(mnt(), "o");
    assert.equal(runCli(["generate", "--name", "db", "--out", out, TRACE_A], { cwd: dir }).status, 0);
    const before = new Map(readdirSync(out).map((f) => [f, readFileSync(join(out, f), "utf8")]));
    // Fill the file system but a few KiB: the lock fits, the new profiles do not.
    const free = Number(/\s(\d+)\s+\d+%/.exec(spawnSync("df", ["-k", mnt()], { encoding: "utf8" }).stdout)?.[1] ?? "0");
    writeFileSync(join(mnt(), "fill"), Buffer.alloc(Math.max(0, free - 4) * 1024));
    const r = runCli(["generate", "--name", "db", "--out", out, TRACE_B], { cwd: dir });
    assertOneLine(
      {
        status: r.status,
        stderr: r.stderr
          .split("\n")
          .filter((l) => l.startsWith("syscage:"))
          .join("\n"),
      },
      "SC_OUTPUT",
      "no space left",
    );
    assert.deepEqual(readdirSync(out).sort(), [...before.keys()].sort());
    for (const [f, text] of before) assert.equal(readFileSync(join(out, f), "utf8"), text, `${f} changed`);
    rmSync(join(mnt(), "fill"));
    assert.equal(runCli(["generate", "--name", "db", "--out", out, TRACE_B], { cwd: dir }).status, 0);
    assert.equal(runShas(out).length, 2);
  });
});

describe("bad places give one located line", () => {
  it("--out is a regular file", () => {
    writeFileSync(join(dir, "a-file"), "x");
    assertOneLine(runCli(["generate", "--name", "db", "--out", "a-file", TRACE_A], { cwd: dir }), "SC_OUTPUT", "a-file");
    assertOneLine(runCli(["generate", "--name", "db", "--out", "a-file/sub", TRACE_A], { cwd: dir }), "SC_OUTPUT", "a-file/sub");
  });
  it("--out is a dangling symlink", () => {
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling-out"));
    assertOneLine(runCli(["generate", "--name", "db", "--out", "dangling-out", TRACE_A], { cwd: dir }), "SC_OUTPUT", "dangling-out");
  });
  it("allowlist.yaml in --out is a directory", () => {
    mkdirSync(join(dir, "o-isdir", "allowlist.yaml"), { recursive: true });
    assertOneLine(runCli(["generate", "--name", "db", "--out", "o-isdir", TRACE_A], { cwd: dir }), "SC_OUTPUT", "o-isdir/allowlist.yaml");
  });
  it("syscage falco --out that is a directory", () => {
    assert.equal(runCli(["generate", "--name", "db", "--out", "o-falco", TRACE_A], { cwd: dir }).status, 0);
    mkdirSync(join(dir, "rules-dir.yaml"));
    assertOneLine(runCli(["falco", "o-falco", "--image", "db=docker.io/library/db", "--out", "rules-dir.yaml"], { cwd: dir }), "SC_OUTPUT", "rules-dir.yaml");
  });
  it("a -c table alone for a container name with a space", () => {
    copyFileSync(TABLE, join(dir, "only table.txt"));
    const r = runCli(["generate", "--name", "my app", "--out", "o-space", "only table.txt"], { cwd: dir });
    assertOneLine(r, "SC_USAGE", '"my app"');
    assert.equal(existsSync(join(dir, "o-space")), false);
  });
  it("special files as input: a device, a FIFO in a directory", () => {
    assertOneLine(runCli(["stats", "/dev/zero"]), "SC_INPUT_UNREADABLE", "/dev/zero: is a character device");
    assertOneLine(runCli(["stats", "/dev/null", "--json"]), "SC_INPUT_UNREADABLE", "/dev/null");
    const d = join(dir, "with-fifo");
    mkdirSync(d);
    copyFileSync(TRACE_A, join(d, "a.trace"));
    assert.equal(spawnSync("mkfifo", [join(d, "p")]).status, 0);
    assertOneLine(runCli(["stats", d]), "SC_INPUT_UNREADABLE", `${d}/p: is a FIFO`);
  });
  it("a FIFO named on the command line is read as a stream", () => {
    const r = spawnSync("bash", ["-c", `"${process.execPath}" --import "${TSX}" "${CLI}" stats --json <(cat "${TRACE_A}")`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { runs: unknown[] }).runs.length, 1);
  });
  it("a dangling symlink in an input directory is named; a symlink loop reads each file once", () => {
    const d = join(dir, "links");
    mkdirSync(d);
    copyFileSync(TRACE_A, join(d, "a.trace"));
    symlinkSync(".", join(d, "again"));
    symlinkSync("a.trace", join(d, "same.trace"));
    const ok = runCli(["stats", "--json", d]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { runs: unknown[] }).runs.length, 1);
    symlinkSync("gone.trace", join(d, "b.trace"));
    assertOneLine(runCli(["stats", d]), "SC_INPUT_NOT_FOUND", `${d}/b.trace: a symlink to gone.trace, which does not exist`);
  });
  for (const [flag, value] of [
    ["--jobs", "abc"],
    ["--jobs", "0"],
    ["--jobs", "1.5"],
    ["--jobs", "-2"],
    ["--wait", "soon"],
  ] as const) {
    it(`${flag} ${value} is a usage error for every command that takes it`, () => {
      for (const cmd of flag === "--wait" ? ["generate"] : ["generate", "stats"]) {
        const args = cmd === "generate" ? ["generate", "--name", "db", "--out", "o-num", flag, value, TRACE_A] : ["stats", flag, value, TRACE_A];
        const r = runCli(args, { cwd: dir });
        assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^syscage: ${flag}: expected a whole number`), r.stderr);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
      }
    });
  }
});
