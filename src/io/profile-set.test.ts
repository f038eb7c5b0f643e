// generate end to end (in memory): golden files for every format, determinism, and the committed
// profiles of the samples staying current.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { assertGolden } from "../test/support/golden.js";
import { FIXTURES, REPO, haveTool } from "../test/support/paths.js";
import { generateContainer, jobFor, jobsFromConfig, readConfig } from "./profile-set.js";

const BASIC = join(FIXTURES, "generate", "basic");
const LOADER = join(REPO, "src", "test", "support", "seccomp-exec.py");
const PY_CHECK = ["/usr/bin/python3"];

function basicJob(inputs = ["traces/run1.trace", "traces/run2.trace"]) {
  return jobFor("basic", { inputs, formats: ["docker", "oci", "spo"], arches: ["x86_64", "aarch64"], recordedArch: "x86_64", out: "expected", images: ["docker.io/library/python"] }, undefined, BASIC);
}

describe("generate", () => {
  it("writes the reviewed golden files for every format and architecture", async () => {
    const r = await generateContainer(basicJob(), { fresh: true });
    assert.deepEqual(
      r.files.map((f) => basename(f.path)),
      ["allowlist.yaml", "seccomp.x86_64.json", "seccomp.x86_64.oci.json", "seccomp-profile.x86_64.yaml", "seccomp.aarch64.json", "seccomp.aarch64.oci.json", "seccomp-profile.aarch64.yaml", "apparmor.profile", "falco-rules.yaml"],
    );
    for (const f of r.files) assertGolden(join(BASIC, "expected", basename(f.path)), f.content);
  });

  it("gives the same bytes whatever the order of the inputs", async () => {
    const a = await generateContainer(basicJob(["traces/run1.trace", "traces/run2.trace"]), { fresh: true });
    const b = await generateContainer(basicJob(["traces/run2.trace", "traces/run1.trace"]), { fresh: true });
    assert.deepEqual(a.files, b.files);
  });

  it("pins socket domains to what the runs used (AF_INET, AF_UNIX) and denies probes with ENOSYS", async () => {
    const r = await generateContainer(basicJob(), { fresh: true });
    const doc = JSON.parse(r.files[1]!.content) as { syscalls: { names: string[]; action: string; errnoRet?: number; args?: { index: number; value: number; op: string }[] }[] };
    const socketRules = doc.syscalls.filter((x) => x.names.includes("socket"));
    assert.deepEqual(socketRules.map((x) => x.args), [[{ index: 0, value: 1, valueTwo: 0, op: "SCMP_CMP_EQ" }], [{ index: 0, value: 2, valueTwo: 0, op: "SCMP_CMP_EQ" }]]);
    const enosys = doc.syscalls.find((x) => x.errnoRet === 38);
    assert.ok(enosys && enosys.names.includes("openat2"), "openat2 was not seen: it must get ENOSYS");
    const allowed = doc.syscalls.filter((x) => x.action === "SCMP_ACT_ALLOW").flatMap((x) => x.names);
    for (const n of enosys.names) assert.ok(!allowed.includes(n), `${n} is both allowed and ENOSYS`);
  });

  it("translates x86_64-only names for aarch64 and reports what has no equivalent", async () => {
    const r = await generateContainer(basicJob(), { fresh: true });
    const aarch64 = r.policies.find((p) => p.target === "aarch64")!;
    const names = new Set(aarch64.rules.flatMap((x) => x.names));
    for (const n of ["open", "stat", "access", "dup2", "pipe", "arch_prctl", "fork", "poll"]) assert.ok(!names.has(n), `${n} does not exist on aarch64`);
    assert.ok(aarch64.untranslatable.some((u) => u.name === "arch_prctl"));
    assert.deepEqual(aarch64.architectures, ["SCMP_ARCH_AARCH64"]);
  });

  it("every name of every profile resolves in libseccomp for its architectures", { skip: !haveTool(PY_CHECK[0]!, ["-c", "import seccomp"]) && "python3-seccomp is not installed" }, async () => {
    const r = await generateContainer(basicJob(), { fresh: true });
    const dir = mkdtempSync(join(tmpdir(), "syscage-names-"));
    for (const f of r.files.filter((x) => x.path.endsWith(".json"))) {
      const p = join(dir, basename(f.path));
      writeFileSync(p, f.content);
      const check = spawnSync("/usr/bin/python3", [LOADER, "--check", p], { encoding: "utf8" });
      assert.equal(check.status, 0, `${basename(f.path)}: unknown to libseccomp: ${check.stdout}${check.stderr}`);
    }
  });
});

describe("committed profiles of the samples", () => {
  it("name only syscalls libseccomp resolves for their architectures", { skip: !haveTool(PY_CHECK[0]!, ["-c", "import seccomp"]) && "python3-seccomp is not installed" }, () => {
    const files = readdirSync(join(REPO, "profiles"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
    assert.ok(files.length >= 8, `only ${files.length} profiles`);
    for (const f of files) {
      const check = spawnSync("/usr/bin/python3", [LOADER, "--check", join(REPO, "profiles", f)], { encoding: "utf8" });
      assert.equal(check.status, 0, `${f}: unknown to libseccomp: ${check.stdout}${check.stderr}`);
    }
  });

  it("are what profiles/syscage.yaml produces from samples/ (run `syscage generate` after changing either)", async () => {
    const configPath = join(REPO, "profiles", "syscage.yaml");
    const config = await readConfig(configPath);
    assert.ok(config);
    const cwd = process.cwd();
    process.chdir(REPO);
    try {
      for (const job of jobsFromConfig(config, configPath, [])) {
        const r = await generateContainer(job, { fresh: false });
        assert.equal(r.newRuns, 0, `${job.name}: samples hold runs the committed allowlist lacks`);
        for (const f of r.files) assert.equal(f.content, readFileSync(join(REPO, f.path), "utf8"), `${f.path} is stale`);
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
