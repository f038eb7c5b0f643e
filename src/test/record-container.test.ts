// Recording a container through the real runtime: only the container's activity is kept, the
// generated profile runs the same container under real enforcement, and a profile missing one
// call it needs fails. Also a long-running container stopped with `RUNTIME kill` and with Ctrl-C.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { containerId, createBundle, deleteContainer, removeBundle, runtimeArgv, setBundleSeccomp, type Runtime } from "../io/oci-bundle.js";
import { containerSkip } from "./support/containers.js";
import { CLI, REPO, TSX } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

const WORKLOAD = ["sh", "-c", "ls / | wc -l; echo x | cat"];
const RUNTIME_SETUP = ["mount", "pivot_root", "umount2", "unshare", "keyctl", "setns"];
const ALLOW_ALL = { defaultAction: "SCMP_ACT_ALLOW" };

type Rule = { names: string[]; action: string };

function runContainer(runtime: Runtime, bundle: string): { status: number | null; stdout: string; stderr: string } {
  const id = containerId("syscage-test");
  try {
    const argv = runtimeArgv(runtime, ["run", "--bundle", bundle, id]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    deleteContainer(runtime, id);
  }
}

function allowed(profile: { syscalls: Rule[] }): Set<string> {
  return new Set(profile.syscalls.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names));
}

/** Starts `syscage record` in its own process group; resolves once the container printed "ready". */
function startRecording(args: string[]): Promise<{ pid: number; done: Promise<{ status: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ status: number | null; stderr: string }>((res) => child.on("close", (status) => res({ status, stderr })));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`container never became ready: ${stderr}`)), 60_000);
    child.stdout.on("data", (c: Buffer) => {
      if (c.toString().includes("ready")) {
        clearTimeout(timer);
        res({ pid: child.pid!, done });
      }
    });
  });
}

for (const runtime of ["runc", "crun"] as const) {
  describe(`record a container with ${runtime}`, { skip: containerSkip(runtime) }, () => {
    const dir = mkdtempSync(join(tmpdir(), `syscage-record-${runtime}-`));
    const bundles: string[] = [];
    after(async () => {
      for (const b of bundles) await removeBundle(b);
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps the container's activity only; its profile runs it under real enforcement; minus pipe2 it fails", async () => {
      const bundle = await createBundle({ args: WORKLOAD, seccomp: ALLOW_ALL }, dir);
      bundles.push(bundle);
      const unconfined = runContainer(runtime, bundle);
      assert.equal(unconfined.status, 0, unconfined.stderr);

      const runs = join(dir, "runs");
      const rec = runCli(["record", "--name", "c", "--out", runs, "--runtime", runtime, "--bundle", bundle]);
      assert.equal(rec.status, 0, rec.stderr);
      assert.match(rec.stderr, /entrypoint \/usr\/bin\/sh; \d+ runtime process\(es\) cut/);
      const trace = readFileSync(join(runs, readdirSync(runs)[0]!), "latin1");
      assert.match(trace.split("\n")[0]!, /execve\("\/usr\/bin\/sh"/, "the run starts at the entrypoint");
      assert.match(trace, /execve\("\/usr\/bin\/ls"/);

      const out = join(dir, "profile");
      const gen = runCli(["generate", "--fresh", "--name", "c", "--format", "oci", "--baseline", `${runtime},always`, "--out", out, runs]);
      assert.equal(gen.status, 0, gen.stderr);
      const profile = JSON.parse(readFileSync(join(out, "seccomp.oci.json"), "utf8")) as { syscalls: Rule[] };
      const names = allowed(profile);
      for (const s of RUNTIME_SETUP) assert.ok(!names.has(s), `${s} (the runtime's setup) is not in the profile`);

      await setBundleSeccomp(bundle, profile);
      const confined = runContainer(runtime, bundle);
      assert.equal(confined.status, 0, confined.stderr);
      assert.equal(confined.stdout, unconfined.stdout);

      // Negative control: the same profile minus one call the workload needs.
      await setBundleSeccomp(bundle, { ...profile, syscalls: profile.syscalls.map((r) => ({ ...r, names: r.names.filter((n) => n !== "pipe2") })) });
      const broken = runContainer(runtime, bundle);
      assert.notEqual(broken.status, 0);
      assert.match(broken.stderr, /Pipe call failed/);
    });

    for (const stop of ["kill", "ctrl-c"] as const) {
      it(`a long-running container stopped with ${stop === "kill" ? `${runtime} kill` : "Ctrl-C"} is recorded up to its exit`, async () => {
        const bundle = await createBundle(
          { args: ["sh", "-c", "trap 'echo stopping; exit 0' TERM INT; sleep 0.1; echo ready; while :; do sleep 0.1; done"], seccomp: ALLOW_ALL },
          dir,
        );
        bundles.push(bundle);
        const id = containerId("syscage-test");
        const runs = join(dir, `runs-${stop}`);
        try {
          const rec = await startRecording(["record", "--name", "l", "--out", runs, "--runtime", runtime, "--bundle", bundle, "--id", id]);
          if (stop === "kill") {
            const argv = runtimeArgv(runtime, ["kill", id, "TERM"]);
            assert.equal(spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore" }).status, 0);
          } else process.kill(-rec.pid, "SIGINT"); // what a terminal's Ctrl-C does: the whole foreground group
          const { status, stderr } = await rec.done;
          assert.equal(status, 0, stderr);
          const trace = readFileSync(join(runs, readdirSync(runs)[0]!), "latin1");
          assert.match(trace, /execve\("\/usr\/bin\/sleep"/);
          assert.match(trace, new RegExp(`--- ${stop === "kill" ? "SIGTERM" : "SIGINT"} `), "the signal that stopped it is in the run");
          assert.match(trace, /\+\+\+ exited with 0 \+\+\+/);
        } finally {
          deleteContainer(runtime, id);
        }
      });
    }
  });
}

describe("record --pid (last resort)", { skip: skipUnless("strace") }, () => {
  it("attaches to a running process, warns that its start is missed, and records until it exits", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-attach-"));
    const target = spawn("sh", ["-c", "sleep 3; echo attached-run > /dev/null; sleep 0.3"], { stdio: "ignore" });
    try {
      const r = runCli(["record", "--name", "p", "--out", dir, "--pid", String(target.pid)]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /warning: attaching to pid \d+ misses everything it did before/);
      const trace = readFileSync(join(dir, "run-001.trace"), "latin1");
      assert.match(trace, /write\(1(<[^>]*>)?, "attached-run\\n"/, "what it did after the attach is there");
      assert.doesNotMatch(trace, /execve\("\/usr\/bin\/sh"|execve\("\/bin\/sh"/, "its own start is not");
    } finally {
      target.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
