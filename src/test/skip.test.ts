// One helper (src/test/support/skip.ts) decides every skip for a missing tool or missing data: the
// reason names what is missing and the package that brings it, and under CI=true it is a failure.
// Checked in a child process with an empty PATH (every tool hidden), and across the test sources:
// no test decides a skip by itself.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import fg from "fast-glob";
import { REPO, TSX } from "./support/paths.js";
import { REQUIREMENTS, type Requirement } from "./support/skip.js";

const SKIP = pathToFileURL(join(REPO, "src", "test", "support", "skip.ts")).href;

/** Runs skipUnless(...needs) in a child with PATH=emptyDir and the given CI, corpus unset and absent. */
function skipInChild(needs: Requirement[], ci: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const empty = mkdtempSync(join(tmpdir(), "syscage-nopath-"));
  try {
    const env: NodeJS.ProcessEnv = { PATH: empty, SYSCAGE_CORPUS: join(empty, "no-corpus") };
    if (ci !== undefined) env.CI = ci;
    const code = `import { skipUnless } from ${JSON.stringify(SKIP)};\nconsole.log(JSON.stringify(skipUnless(...${JSON.stringify(needs)})));`;
    const r = spawnSync(process.execPath, ["--import", TSX, "--input-type=module", "-e", code], { env, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

describe("skipUnless: the one helper for missing tools and data", () => {
  it("names each missing tool and its apt package when CI is not set", () => {
    const r = skipInChild(["strace", "python3-seccomp", "apparmor_parser"], undefined);
    assert.equal(r.status, 0, r.stderr);
    const reason = JSON.parse(r.stdout) as string;
    assert.match(reason, /strace is missing \(apt-get install strace\)/);
    assert.match(reason, /python3-seccomp is missing \(apt-get install python3-seccomp/);
    assert.match(reason, /apparmor_parser is missing \(apt-get install apparmor/);
  });

  it("names the corpus and SYSCAGE_CORPUS when the corpus is absent", () => {
    const r = skipInChild(["corpus"], undefined);
    assert.equal(r.status, 0, r.stderr);
    assert.match(JSON.parse(r.stdout) as string, /corpus is missing \(set SYSCAGE_CORPUS/);
  });

  it("fails instead of skipping under CI=true", () => {
    for (const need of ["strace", "sysdig", "corpus"] as const) {
      const r = skipInChild([need], "true");
      assert.notEqual(r.status, 0, `${need}: CI=true must not skip`);
      assert.match(r.stderr, new RegExp(`CI=true, so nothing may be skipped: ${need} is missing`));
    }
  });

  it("every requirement names a remedy", () => {
    for (const [name, info] of Object.entries(REQUIREMENTS)) assert.match(info.remedy, name === "corpus" ? /SYSCAGE_CORPUS/ : /^apt-get install \S+/, name);
  });

  it("no test decides a skip by itself (a literal reason, a probe of its own, or reading CI)", async () => {
    const files = await fg("src/**/*.ts", { cwd: REPO, ignore: ["src/test/support/skip.ts", "src/test/skip.test.ts"] });
    const offenders: string[] = [];
    for (const f of files) {
      const lines = readFileSync(join(REPO, f), "utf8").split("\n");
      lines.forEach((line, i) => {
        const where = `${relative(REPO, join(REPO, f))}:${i + 1}: ${line.trim().slice(0, 120)}`;
        if (/skip:[^}\n]*(\? false : ["'`]|&& ["'`])/.test(line)) offenders.push(where);
        if (/process\.env\.CI\b/.test(line) && f.endsWith(".test.ts")) offenders.push(where);
        if (/import seccomp/.test(line) && /spawnSync/.test(line)) offenders.push(where);
      });
    }
    assert.deepEqual(offenders, []);
  });
});
