// The recording OCI runtime shim, driven as an engine drives a runtime (create, start, state,
// delete), and through Podman (`podman --runtime SHIM`): the container runs, its run is filed under
// its name, the generated profile runs it under Podman's own seccomp handling, and when recording
// cannot work the container still starts, unrecorded, with a note on stderr.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { containerId, createBundle, deleteContainer } from "../io/oci-bundle.js";
import { containerSkip } from "./support/containers.js";
import { REPO, TSX } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "syscage-shim-test-"));
const SHIM = join(dir, "shim");
writeFileSync(SHIM, `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${join(REPO, "src", "shim.ts")}" "$@"\n`);
chmodSync(SHIM, 0o755);

let calls = 0;
/** Runs the shim with its output in files, as engines do: a created container (and strace's tracer) keeps its stdio open. */
function shim(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const o = join(dir, `shim-${++calls}.out`);
  const e = join(dir, `shim-${calls}.err`);
  const fo = openSync(o, "w");
  const fe = openSync(e, "w");
  try {
    const r = spawnSync(SHIM, args, { timeout: 60_000, env: { ...process.env, ...env }, stdio: ["ignore", fo, fe] });
    return { status: r.status, stdout: readFileSync(o, "utf8"), stderr: readFileSync(e, "utf8") };
  } finally {
    closeSync(fo);
    closeSync(fe);
  }
}

function waitStopped(id: string, env: Record<string, string>): void {
  for (let i = 0; i < 100; i++) {
    const s = shim(["state", id], env);
    if (s.status !== 0 || /"status": "stopped"/.test(s.stdout)) return;
    spawnSync("sleep", ["0.1"]);
  }
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe("syscage-runtime-shim driven like an engine (runc)", { skip: containerSkip("runc") }, () => {
  it("create returns at once, start runs the container, delete files its run under the Kubernetes container name", async () => {
    const out = join(dir, "out-engine");
    const env = { SYSCAGE_SHIM_OUT: out };
    const bundle = await createBundle({ args: ["sh", "-c", "echo x | cat > /dev/null"], seccomp: { defaultAction: "SCMP_ACT_ALLOW" } }, dir);
    const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as Record<string, unknown>;
    config.annotations = {
      "io.kubernetes.cri.container-name": "web",
      "io.kubernetes.cri.sandbox-namespace": "shop",
      "io.kubernetes.cri.container-type": "container",
    };
    writeFileSync(join(bundle, "config.json"), JSON.stringify(config));
    const id = containerId("syscage-shim");
    try {
      const created = shim(["--root", "/run/runc", "create", "--bundle", bundle, id], env);
      assert.equal(created.status, 0, created.stderr);
      assert.match(shim(["--root", "/run/runc", "state", id], env).stdout, /"status": "created"/, "create returned with the container created, not run");
      assert.equal(shim(["--root", "/run/runc", "start", id], env).status, 0);
      waitStopped(id, env);
      const deleted = shim(["--root", "/run/runc", "delete", id], env);
      assert.equal(deleted.status, 0, deleted.stderr);
      assert.match(deleted.stderr, /run recorded as .*shop_web\/run-001\.trace/);
      const trace = readFileSync(join(out, "shop_web", "run-001.trace"), "latin1");
      assert.match(trace.split("\n")[0]!, /execve\("\/usr\/bin\/sh"/);
      assert.match(trace, /execve\("\/usr\/bin\/cat"/, "traced through start to the end");
      assert.doesNotMatch(trace, /pivot_root|runc/);
      assert.deepEqual(readdirSync(join(out, ".pending")), [], "nothing left pending");
    } finally {
      deleteContainer("runc", id);
    }
  });

  it("run (foreground) is recorded and filed as soon as the container exits; other subcommands pass through", async () => {
    const out = join(dir, "out-run");
    const bundle = await createBundle({ args: ["sh", "-c", "echo x | cat"], seccomp: { defaultAction: "SCMP_ACT_ALLOW" } }, dir);
    const id = containerId("syscage-shim");
    try {
      const r = shim(["run", "--bundle", bundle, id], { SYSCAGE_SHIM_OUT: out });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "x\n", "the container's output reaches the engine");
      assert.match(readFileSync(join(out, id, "run-001.trace"), "latin1"), /execve\("\/usr\/bin\/cat"/, "filed under the id (no name annotation)");
      const version = shim(["--version"]);
      assert.equal(version.status, 0);
      assert.match(version.stdout, /^runc version/);
      assert.notEqual(shim(["state", "syscage-no-such-container"]).status, 0, "the runtime's own exit status comes back");
    } finally {
      deleteContainer("runc", id);
    }
  });

  it("never stops a container from starting: an unwritable output directory, or no strace, runs it unrecorded and says so", async () => {
    const bundle = await createBundle({ args: ["true"], seccomp: { defaultAction: "SCMP_ACT_ALLOW" } }, dir);
    const noStrace = join(dir, "bin");
    mkdirSync(noStrace, { recursive: true });
    const runc = spawnSync("sh", ["-c", "command -v runc"], { encoding: "utf8" }).stdout.trim();
    if (!existsSync(join(noStrace, "runc"))) symlinkSync(runc, join(noStrace, "runc"));
    for (const [env, why] of [
      [{ SYSCAGE_SHIM_OUT: "/dev/null/runs" }, /cannot write to \/dev\/null\/runs/],
      [{ SYSCAGE_SHIM_OUT: join(dir, "out-nostrace"), PATH: noStrace }, /strace is not installed/],
    ] as const) {
      const id = containerId("syscage-shim");
      try {
        const r = shim(["run", "--bundle", bundle, id], env);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, why);
        assert.match(r.stderr, /running it unrecorded/);
      } finally {
        deleteContainer("runc", id);
      }
    }
  });
});

describe("syscage-runtime-shim under Podman (podman --runtime SHIM)", { skip: containerSkip("runc") || skipUnless("podman") }, () => {
  it("records a Podman container; the generated profile runs it under Podman; minus pipe2 it fails", () => {
    const out = join(dir, "out-podman");
    const rootfs = join(dir, "podroot");
    for (const d of ["usr", "etc", "proc", "dev", "sys", "tmp"]) mkdirSync(join(rootfs, d), { recursive: true });
    for (const l of ["bin", "lib", "lib64", "sbin"]) if (existsSync(`/${l}`)) symlinkSync(`usr/${l}`, join(rootfs, l));
    const cmd = ["sh", "-c", "ls / | wc -l; echo x | cat"];
    const podmanRun = (runtime: string, extra: string[], global: string[] = []) =>
      spawnSync(
        "podman",
        [
          "--cgroup-manager=cgroupfs",
          "--events-backend=file",
          `--runtime=${runtime}`,
          ...global,
          "run",
          "--rm",
          "--network=none",
          "--ulimit",
          "nofile=1024:1024",
          "--ulimit",
          "nproc=1024:1024",
          "-v",
          "/usr:/usr:ro",
          "-v",
          "/etc:/etc:ro",
          ...extra,
          "--rootfs",
          rootfs,
          ...cmd,
        ],
        { encoding: "utf8", timeout: 120_000 },
      );
    // The settings come as a runtime flag: Podman adds --syscage-out=OUT to each call of the runtime.
    const rec = podmanRun(SHIM, ["--annotation", "org.syscage.name=podshell"], ["--runtime-flag", `syscage-out=${out}`]);
    assert.equal(rec.status, 0, rec.stderr);
    assert.match(rec.stdout, /^\d+\nx\n$/);
    const runs = join(out, "podshell");
    assert.deepEqual(readdirSync(runs), ["run-001.trace"]);

    const gen = runCli([
      "generate",
      "--fresh",
      "--name",
      "podshell",
      "--format",
      "docker",
      "--baseline",
      "runc,always",
      "--out",
      join(dir, "podprofile"),
      runs,
    ]);
    assert.equal(gen.status, 0, gen.stderr);
    const profilePath = join(dir, "podprofile", "seccomp.json");
    const ok = podmanRun("runc", ["--security-opt", `seccomp=${profilePath}`]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, rec.stdout);

    const profile = JSON.parse(readFileSync(profilePath, "utf8")) as { syscalls: { names: string[] }[] };
    const minus = join(dir, "podprofile", "minus-pipe2.json");
    writeFileSync(minus, JSON.stringify({ ...profile, syscalls: profile.syscalls.map((r) => ({ ...r, names: r.names.filter((n) => n !== "pipe2") })) }));
    const broken = podmanRun("runc", ["--security-opt", `seccomp=${minus}`]);
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr, /Pipe call failed/);
  });
});
