// syscage verify, emulated (strace error injection) and enforced by runc and crun: a profile
// missing pipe2 is caught, the full profile passes, and a clone3 ENOSYS rule shows the fallback.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import type { VerifyReport } from "../emit/verify-report.js";
import { containerSkip } from "./support/containers.js";
import { haveTool } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

const PIPE = ["sh", "-c", "echo x | cat"];
const THREADS = ["/usr/bin/python3", "-c", "import threading; t = threading.Thread(target=print, args=('thread ran',)); t.start(); t.join()"];

interface Profiles {
  full: string;
  noPipe: string;
  clone3Enosys: string;
}

type Rule = { names: string[]; action: string; errnoRet?: number; args?: unknown[] };

async function profilesFor(dir: string): Promise<Profiles> {
  const runs = join(dir, "runs");
  await recordCommand(runs, PIPE, [], { stdout: "ignore" });
  await recordCommand(runs, THREADS, [], { stdout: "ignore" });
  // Baselines for both runtimes, so the same profile also starts under runc and crun.
  const job = jobFor("v", { inputs: [runs], out: join(dir, "profile"), formats: ["oci"], baselines: ["runc", "crun", "always"] }, undefined, dir);
  const result = await generateContainer(job, { fresh: true });
  const oci = JSON.parse(result.files.find((f) => f.path.endsWith("seccomp.oci.json"))!.content) as { syscalls: Rule[] };
  const write = (name: string, p: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(p, null, 2));
    return path;
  };
  const without = (p: { syscalls: Rule[] }, name: string) => ({
    ...p,
    syscalls: p.syscalls.map((r) => ({ ...r, names: r.names.filter((n) => n !== name) })).filter((r) => r.names.length > 0),
  });
  assert.ok(
    oci.syscalls.some((r) => r.action === "SCMP_ACT_ALLOW" && r.names.includes("clone3")),
    "python's threads were recorded with clone3",
  );
  const fallback = without(oci, "clone3");
  fallback.syscalls = [
    ...fallback.syscalls.filter((r) => !r.names.includes("clone")),
    { names: ["clone"], action: "SCMP_ACT_ALLOW" },
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
  ];
  return { full: write("full.json", oci), noPipe: write("no-pipe2.json", without(oci, "pipe2")), clone3Enosys: write("clone3-enosys.json", fallback) };
}

function verify(profile: string, runtime: string, command: string[]): { status: number; report: VerifyReport; stderr: string } {
  const r = runCli(["verify", "--json", "--profile", profile, "--runtime", runtime, "--", ...command]);
  assert.notEqual(r.status, 2, r.stderr);
  return { status: r.status, report: JSON.parse(r.stdout) as VerifyReport, stderr: r.stderr };
}

function checkModes(runtime: string, skip: string | false, profiles: () => Profiles): void {
  describe(`verify --runtime ${runtime}`, { skip }, () => {
    it("a profile missing pipe2 reports pipe2 denied with EPERM, who called it and the first trace line; exit 1", () => {
      const { status, report } = verify(profiles().noPipe, runtime, PIPE);
      assert.equal(status, 1);
      assert.notEqual(report.exitStatus, 0, "sh fails: Pipe call failed");
      const pipe = report.denials.find((d) => d.syscall === "pipe2");
      assert.ok(pipe, JSON.stringify(report.denials));
      assert.equal(pipe.errno, "EPERM");
      assert.equal(pipe.kind, "denied");
      assert.equal(pipe.count, 1);
      assert.deepEqual(pipe.programs, ["/usr/bin/sh"]);
      assert.match(pipe.firstTrace, /^pipe2\(.*= -1 EPERM/);
      if (runtime === "emulate" && haveTool("strace", ["-k", "-e", "trace=none", "-o", "/dev/null", "true"]))
        assert.ok(
          pipe.stack.some((f) => /__pipe|libc/.test(f)),
          "a -k stack into libc's pipe",
        );
      assert.deepEqual(
        report.denials.map((d) => d.syscall),
        ["pipe2"],
        "nothing else",
      );
      const text = runCli(["verify", "--profile", profiles().noPipe, "--runtime", runtime, "--", ...PIPE]);
      assert.match(text.stdout, /^DENIED pipe2 EPERM/m);
      assert.match(text.stdout, /the command exited with [1-9]/);
    });
    it("the full profile denies nothing; exit 0", () => {
      const { status, report } = verify(profiles().full, runtime, PIPE);
      assert.equal(status, 0, JSON.stringify(report));
      assert.equal(report.exitStatus, 0);
      assert.deepEqual(report.denials, []);
    });
    if (runtime !== "emulate") {
      it("a profile the runtime itself cannot start under is reported as such (exit 1)", () => {
        const bare = join(mkdtempSync(join(tmpdir(), "syscage-verify-bare-")), "bare.json");
        writeFileSync(
          bare,
          JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["execve", "write", "exit_group"], action: "SCMP_ACT_ALLOW" }] }),
        );
        const { status, report } = verify(bare, runtime, PIPE);
        rmSync(join(bare, ".."), { recursive: true, force: true });
        assert.equal(status, 1);
        assert.equal(report.failed, true);
        assert.match(report.notes.join("\n"), new RegExp(`${runtime} did not start the container's command under this profile`));
      });
    }
    it("clone3 given ENOSYS: python's threads fall back to clone and pass", () => {
      const { status, report } = verify(profiles().clone3Enosys, runtime, THREADS);
      assert.equal(report.exitStatus, 0);
      assert.equal(status, 0, JSON.stringify(report));
      const clone3 = report.denials.find((d) => d.syscall === "clone3");
      assert.ok(clone3, "clone3 was refused");
      assert.equal(clone3.errno, "ENOSYS");
      assert.equal(clone3.explicit, true);
      assert.equal(clone3.fallback?.syscall, "clone");
      assert.ok((clone3.fallback?.calls ?? 0) >= 1, "clone succeeded after the ENOSYS");
    });
  });
}

describe("syscage verify", { skip: skipUnless("strace", "python3") }, () => {
  let profiles: Profiles | undefined;
  const dir = mkdtempSync(join(tmpdir(), "syscage-verify-test-"));
  before(async () => {
    profiles = await profilesFor(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  checkModes("emulate", false, () => profiles!);
  checkModes("runc", containerSkip("runc"), () => profiles!);
  checkModes("crun", containerSkip("crun"), () => profiles!);

  it("a command that cannot run is an error (exit 2), not a pass", () => {
    const r = runCli(["verify", "--profile", join(dir, "full.json"), "--", "/nonexistent/syscage-no-such-command"]);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /the command did not run under strace \(exit status 1\).*\(SC_NO_TRACE\)/);
  });

  it("a profile that is not seccomp JSON is an error naming the file (exit 2)", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "syscage-verify-bad-")), "bad.json");
    writeFileSync(bad, "{ not json");
    const r = runCli(["verify", "--profile", bad, "--", "true"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json:1: not a seccomp profile.*\(SC_PROFILE\)/);
    assert.equal(readFileSync(bad, "utf8"), "{ not json");
    rmSync(join(bad, ".."), { recursive: true, force: true });
  });
});
