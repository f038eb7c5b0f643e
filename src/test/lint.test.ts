// The lint that `npm test` runs (scripts/run-tests.mjs, biome.jsonc) is live: its promise rules flag
// real mistakes, and the repository passes it. A config change that turns them off fails here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO as ROOT } from "./support/paths.js";

const BIOME = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");

/** Lints `source` as src/x.ts under the repository's biome.jsonc; returns the rule names reported. */
function lintSource(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "syscage-lint-"));
  try {
    mkdirSync(join(dir, "src"));
    copyFileSync(join(ROOT, "biome.jsonc"), join(dir, "biome.jsonc"));
    writeFileSync(join(dir, "src", "x.ts"), source);
    const r = spawnSync(process.execPath, [BIOME, "lint", "--vcs-enabled=false", "--max-diagnostics=50", "src"], { cwd: dir, encoding: "utf8" });
    return [...`${r.stdout}${r.stderr}`.matchAll(/lint\/\w+\/(\w+)/g)].map((m) => m[1] as string).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("lint", () => {
  it("flags a promise nobody awaits and an async callback where a plain one is expected", () => {
    const found = lintSource(
      "async function f(): Promise<number> {\n  return 1;\n}\nexport function g(): void {\n  f();\n  [1].forEach(async () => {\n    await f();\n  });\n}\n",
    );
    assert.deepEqual(found, ["noFloatingPromises", "noMisusedPromises"]);
  });

  it("accepts the same code when the promise is awaited", () => {
    assert.deepEqual(lintSource("async function f(): Promise<number> {\n  return 1;\n}\nexport async function g(): Promise<void> {\n  await f();\n}\n"), []);
  });

  it("the repository passes", () => {
    const r = spawnSync(process.execPath, [BIOME, "ci", "--error-on-warnings", "--reporter=summary"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
