// Measured runtime baselines: `syscage baseline` records a trivial container and keeps what the
// runtime ran under the filter; a profile built on it (and no built-in runtime list) starts the
// container under the same runtime, with and without no-new-privileges. Without any runtime
// baseline the container does not start (no-new-privileges off), so the measured list is what matters.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as yaml from "js-yaml";
import { containerId, createBundle, deleteContainer, runtimeArgv, setBundleSeccomp, type Runtime } from "../io/oci-bundle.js";
import { containerSkip } from "./support/containers.js";
import { runCli } from "./support/run-cli.js";

const WORKLOAD = ["sh", "-c", "echo x | cat"];

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

for (const runtime of ["runc", "crun"] as const) {
  describe(`syscage baseline --runtime ${runtime}`, { skip: containerSkip(runtime) }, () => {
    const dir = mkdtempSync(join(tmpdir(), `syscage-baseline-${runtime}-`));
    after(() => rmSync(dir, { recursive: true, force: true }));
    for (const nnp of [false, true]) {
      it(`a profile on the measured baseline starts the container${nnp ? " with no-new-privileges" : ""}`, async () => {
        const file = join(dir, `${runtime}${nnp ? "-nnp" : ""}.yaml`);
        const m = runCli(["baseline", "--runtime", runtime, "--runs", "2", "--out", file, ...(nnp ? ["--nnp"] : [])]);
        assert.equal(m.status, 0, m.stderr);
        const measured = yaml.load(readFileSync(file, "utf8")) as { name: string; version: string; syscalls: { x86_64: string[] } };
        assert.equal(measured.name, nnp ? `${runtime}-nnp` : runtime);
        assert.match(measured.version, new RegExp(`^${runtime} version \\d`));
        assert.ok(measured.syscalls.x86_64.includes("execve"), "the entrypoint's execve is made under the filter");
        for (const s of ["mount", "pivot_root", "unshare"]) assert.ok(!measured.syscalls.x86_64.includes(s), `${s} runs before the filter`);
        // runc's Go runtime may wake a futex, sleep, yield or signal a thread under the filter on any
        // start, whether or not the measured starts did (a denied futex wake crashes runc init).
        if (runtime === "runc")
          for (const s of ["futex", "nanosleep", "sched_yield", "tgkill", "rt_sigprocmask", "sigaltstack"])
            assert.ok(measured.syscalls.x86_64.includes(s), `the Go runtime's ${s} is in the measured list`);

        const bundle = await createBundle({ args: WORKLOAD, seccomp: { defaultAction: "SCMP_ACT_ALLOW" }, noNewPrivileges: nnp }, dir);
        const runs = join(dir, `runs-${nnp}`);
        const rec = runCli(["record", "--name", "b", "--out", runs, "--runtime", runtime, "--bundle", bundle]);
        assert.equal(rec.status, 0, rec.stderr);
        assert.equal(readdirSync(runs).length, 1);

        const gen = (out: string, extra: string[]) => {
          const g = runCli(["generate", "--fresh", "--name", "b", "--format", "oci", "--out", out, "--baseline", "always", ...extra, runs]);
          assert.equal(g.status, 0, g.stderr);
          return { stdout: g.stdout, profile: JSON.parse(readFileSync(join(out, "seccomp.oci.json"), "utf8")) as unknown };
        };
        const onMeasured = gen(join(dir, `p-${nnp}`), ["--measured-baseline", file]);
        assert.match(onMeasured.stdout, new RegExp(`baseline ${measured.name}: measured with ${runtime} version`), "generate says it used the measured list");
        await setBundleSeccomp(bundle, onMeasured.profile);
        const ok = runContainer(runtime, bundle);
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout, "x\n");

        if (!nnp) {
          // Control: the workload's own calls alone do not let the runtime finish starting it.
          const bare = gen(join(dir, "bare"), []);
          await setBundleSeccomp(bundle, bare.profile);
          const fails = runContainer(runtime, bundle);
          assert.notEqual(fails.status, 0, "without the runtime's post-filter calls the container does not start");
          assert.notEqual(fails.stdout, "x\n");
        }
      });
    }
  });
}

describe("generate names the baseline lists it used", () => {
  it("built-in when nothing was measured", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-baseline-builtin-"));
    const r = runCli(["generate", "--fresh", "--name", "s", "--out", join(dir, "p"), "--baseline", "runc,always", "samples/shell"]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /baseline runc: built-in list/);
  });
  it("a measured baseline file that is not one is an error naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-baseline-bad-"));
    const r = runCli(["generate", "--fresh", "--name", "s", "--out", join(dir, "p"), "--measured-baseline", "samples/README.md", "samples/shell"]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /SC_BASELINE/);
  });
});
