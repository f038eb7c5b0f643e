#!/usr/bin/env node
// Runs every test file through node:test with tsx. Node 20 silently runs fewer files than exist when
// given a directory or a glob, so the list is expanded here, and an empty list is a failure.
// It type-checks and lints first.
// Usage: node scripts/run-tests.mjs [filter...]   (filters are substrings of test file paths)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const filters = process.argv.slice(2);
const files = (await fg("src/**/*.test.ts", { cwd: root })).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`run-tests: no test files found${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(1);
}
console.log(`run-tests: ${files.length} test files`);
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error("run-tests: type check failed");
  process.exit(tsc.status ?? 1);
}
// Lint (biome.jsonc): floating and misused promises, unused imports, suspicious code. Well under a second.
const lint = spawnSync(process.execPath, [join(root, "node_modules", "@biomejs", "biome", "bin", "biome"), "ci", "--error-on-warnings", "--reporter=summary"], {
  cwd: root,
  stdio: "inherit",
});
if (lint.status !== 0) {
  console.error("run-tests: lint failed (npx biome lint shows each finding)");
  process.exit(lint.status ?? 1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter", "spec", ...files], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
