// record and generate as a user runs them: files written, exit codes, and errors that say what is needed.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { runCli } from "../test/support/run-cli.js";
import { CLI, FIXTURES, REPO, TSX } from "../test/support/paths.js";
import { pythonWithSeccomp, skipUnless } from "../test/support/skip.js";

const BASIC = join(FIXTURES, "generate", "basic", "traces");

describe("syscage generate", () => {
  it("writes allowlist.yaml and seccomp.json under --out, and reports what it allowed", () => {
    const out = join(mkdtempSync(join(tmpdir(), "syscage-gen-")), "basic");
    const r = runCli(["generate", "--name", "basic", "--out", out, "--recorded-arch", "x86_64", join(BASIC, "run1.trace"), join(BASIC, "run2.trace")]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["allowlist.yaml", "apparmor.profile", "seccomp.json"], "no falco-rules.yaml without --image");
    assert.match(r.stdout, /^basic: 2 run\(s\) \(2 new\), \d+ syscalls observed/);
    assert.equal(readFileSync(join(out, "seccomp.json"), "utf8"), readFileSync(join(FIXTURES, "generate", "basic", "expected", "seccomp.x86_64.json"), "utf8"));
    // Adding the same runs again changes nothing: they are already in the allowlist.
    const again = runCli(["generate", "--name", "basic", "--out", out, "--recorded-arch", "x86_64", join(BASIC, "run2.trace")]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /2 run\(s\) \(0 new\)/, "run1 is kept from the existing allowlist");
    assert.equal(readFileSync(join(out, "seccomp.json"), "utf8"), readFileSync(join(FIXTURES, "generate", "basic", "expected", "seccomp.x86_64.json"), "utf8"));
    // --fresh starts over from the inputs alone.
    const fresh = runCli(["generate", "--fresh", "--name", "basic", "--out", out, "--recorded-arch", "x86_64", join(BASIC, "run2.trace")]);
    assert.match(fresh.stdout, /1 run\(s\) \(1 new\)/);
  });

  it("--no-equivalents and --no-implied leave out exactly the names the allowlist marks equivalent:/implied:", () => {
    const base = mkdtempSync(join(tmpdir(), "syscage-eq-"));
    const inputs = [join(BASIC, "run1.trace"), join(BASIC, "run2.trace")];
    const names = (dir: string) =>
      new Set(
        (JSON.parse(readFileSync(join(dir, "seccomp.json"), "utf8")) as { syscalls: { names: string[]; action: string }[] }).syscalls
          .filter((s) => s.action === "SCMP_ACT_ALLOW")
          .flatMap((s) => s.names),
      );
    const on = runCli(["generate", "--name", "basic", "--out", join(base, "on"), "--recorded-arch", "x86_64", ...inputs]);
    assert.equal(on.status, 0, on.stderr);
    const off = runCli(["generate", "--name", "basic", "--out", join(base, "off"), "--recorded-arch", "x86_64", "--no-equivalents", "--no-implied", ...inputs]);
    assert.equal(off.status, 0, off.stderr);
    const allowlist = readFileSync(join(base, "on", "allowlist.yaml"), "utf8");
    const tagged = new Set([...allowlist.matchAll(/^ {2}(\w+): \{[^\n]*from: \[(?:equivalent|implied):\w+\]\}$/gm)].map((m) => m[1]!));
    assert.ok(tagged.has("dup3") && tagged.has("clock_nanosleep") === false, [...tagged].join(","));
    const extra = [...names(join(base, "on"))].filter((n) => !names(join(base, "off")).has(n));
    assert.deepEqual(extra.sort(), [...tagged].sort());
    assert.match(readFileSync(join(base, "off", "allowlist.yaml"), "utf8"), /^equivalents: false$/m);
    assert.match(readFileSync(join(base, "off", "allowlist.yaml"), "utf8"), /^implied: false$/m);
  });

  it("--name without inputs or config says what it needs (exit 2)", () => {
    const cwd = mkdtempSync(join(tmpdir(), "syscage-empty-"));
    const r = runCli(["generate", "--name", "web"], { cwd });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no inputs given and no syscage\.yaml.*name the traces \(syscage generate --name web samples\/web\/\)/);
  });

  it("a missing input is an error naming the path, and nothing is written", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-miss-"));
    const r = runCli(["generate", "--name", "x", "--out", join(dir, "x"), join(dir, "nope.trace")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /nope\.trace: no such file or directory \(SC_INPUT_NOT_FOUND\)/);
    assert.equal(existsSync(join(dir, "x")), false);
  });

  it("a config error names the file, the line and the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-cfg-"));
    writeFileSync(join(dir, "syscage.yaml"), "schemaVersion: 1\ncontainers:\n  web:\n    inputs: []\n    formats: [docker, seccomp-bpf]\n");
    const r = runCli(["generate"], { cwd: dir });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /syscage\.yaml:4: containers\.web\.inputs: /);
    assert.match(r.stderr, /syscage\.yaml:5: containers\.web\.formats\.1: /);
  });

  it("a bare generate regenerates every container of the config, relative to the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-all-"));
    writeFileSync(
      join(dir, "syscage.yaml"),
      `schemaVersion: 1\ndefaults: {recordedArch: x86_64}\ncontainers:\n  one: {inputs: [${JSON.stringify(join(BASIC, "run1.trace"))}]}\n  two: {inputs: [${JSON.stringify(join(BASIC, "run2.trace"))}], formats: [oci]}\n`,
    );
    const r = runCli(["generate"], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(join(dir, "profiles")).sort(), ["one", "two"]);
    assert.deepEqual(readdirSync(join(dir, "profiles", "two")).sort(), ["allowlist.yaml", "apparmor.profile", "seccomp.oci.json"]);
    // No temporary files are left behind by the atomic writes.
    assert.deepEqual(
      readdirSync(join(dir, "profiles", "one")).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  it("--strict refuses to write when the traces raise diagnostics", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-strict-"));
    writeFileSync(join(dir, "t.trace"), "close(3) = 0\nnot strace\n");
    const r = runCli(["generate", "--strict", "--name", "s", "--out", join(dir, "s"), join(dir, "t.trace")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /t\.trace:2:1: warning: .*SC_NOT_STRACE/);
    assert.equal(existsSync(join(dir, "s")), false);
  });
});

describe("syscage record", { skip: skipUnless("strace") }, () => {
  it("writes a new run file, passes the command's exit status through and says where the trace went", () => {
    const out = join(mkdtempSync(join(tmpdir(), "syscage-rec-")), "runs");
    const a = runCli(["record", "--name", "t", "--out", out, "--", "sh", "-c", "echo hello; exit 3"]);
    assert.equal(a.status, 3);
    assert.equal(a.stdout, "hello\n");
    assert.match(a.stderr, /trace written to .*run-001\.trace; the command exited with 3/);
    const b = runCli(["record", "--name", "t", "--out", out, "--", "true"]);
    assert.equal(b.status, 0);
    assert.deepEqual(readdirSync(out).sort(), ["run-001.trace", "run-002.trace"]);
    const trace = readFileSync(join(out, "run-001.trace"), "utf8");
    assert.match(trace, /execve\("\/usr\/bin\/sh"|execve\("\/bin\/sh"/);
    assert.match(trace, /% time +seconds/, "recorded with -C: strace's own table ends the trace");
    const s = runCli(["stats", "--json", "--strict", join(out, "run-001.trace")]);
    assert.equal(s.status, 0, s.stdout);
  });

  it("a missing strace is a clear error, and leaves no directory behind", () => {
    // In a directory of its own: the default output is samples/NAME under the working directory.
    const cwd = mkdtempSync(join(tmpdir(), "syscage-nostrace-"));
    const record = (name: string) =>
      spawnSync(process.execPath, ["--import", TSX, CLI, "record", "--name", name, "--", "true"], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, PATH: "/nonexistent" },
      });
    const r = record("t");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /strace is not installed/);
    assert.deepEqual(readdirSync(cwd), [], "the directories made for the run are taken away again");
    // A directory that was there before stays, empty or not.
    mkdirSync(join(cwd, "samples", "u"), { recursive: true });
    assert.equal(record("u").status, 2);
    assert.deepEqual(readdirSync(join(cwd, "samples")), ["u"]);
    assert.equal(record("v").status, 2);
    assert.deepEqual(readdirSync(join(cwd, "samples")), ["u"], "samples/ itself was there before");
  });

  it("a --pid that strace cannot attach to is an error, and leaves no directory behind", { skip: skipUnless("strace") }, () => {
    const cwd = mkdtempSync(join(tmpdir(), "syscage-noattach-"));
    // A pid above the kernel's pid_max (at most 4194304): no such process.
    const r = spawnSync(process.execPath, ["--import", TSX, CLI, "record", "--name", "gone", "--pid", "4194305"], { cwd, encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /could not attach to pid 4194305/);
    assert.deepEqual(readdirSync(cwd), []);
  });

  it("ptrace that is not permitted is a clear error (strace run under a seccomp filter denying ptrace)", { skip: skipUnless("python3-seccomp") }, () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-ptrace-"));
    const profile = join(dir, "deny-ptrace.json");
    writeFileSync(
      profile,
      JSON.stringify({
        defaultAction: "SCMP_ACT_ALLOW",
        architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [{ names: ["ptrace"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
      }),
    );
    const r = spawnSync(
      pythonWithSeccomp() ?? "python3",
      [
        join(REPO, "src", "test", "support", "seccomp-exec.py"),
        profile,
        process.execPath,
        "--import",
        TSX,
        CLI,
        "record",
        "--name",
        "t",
        "--out",
        join(dir, "runs"),
        "--",
        "true",
      ],
      { cwd: REPO, encoding: "utf8" },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /syscage: strace may not trace here: ptrace is not permitted .*\(SC_PTRACE_DENIED\)/);
    assert.deepEqual(existsSync(join(dir, "runs")) ? readdirSync(join(dir, "runs")) : [], []);
  });

  it("needs a command", () => {
    const r = runCli(["record", "--name", "t"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /record needs a command after --/);
  });
});
