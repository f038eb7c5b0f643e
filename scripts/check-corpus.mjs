#!/usr/bin/env node
// Reads every trace in the public strace corpus (../shared/corpus beside the repository, or $SYSCAGE_CORPUS; real strace output other people published, strace 4.5 to
// 6.14) with the built CLI and prints one line per file: kind, lines, events, runs, diagnostics.
// Usage: npm run build && node scripts/check-corpus.mjs [corpus-dir] [--verbose]
// Exit status 1 if any file crashes the parser. The corpus is read in place, never copied.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const dir = args.find((a) => !a.startsWith("--")) ?? process.env.SYSCAGE_CORPUS ?? join(root, "..", "shared", "corpus");

/** Files recorded on another architecture, as the corpus's PROVENANCE.md says. */
export function corpusArch(name) {
  if (/aarch64/.test(name)) return "aarch64";
  if (/arm32/.test(name)) return "arm";
  if (/i386/.test(name)) return "i386";
  return "x86_64";
}

function walk(d) {
  return readdirSync(d)
    .sort()
    .flatMap((f) => {
      const p = join(d, f);
      if (statSync(p).isDirectory()) return walk(p);
      return /\.(strace|txt)$/.test(f) && f !== "README.md" ? [p] : [];
    });
}

let crashed = 0;
for (const file of walk(dir)) {
  const name = relative(dir, file);
  const arch = corpusArch(name);
  const r = spawnSync(process.execPath, [join(root, "dist", "cli.js"), "stats", "--json", "--arch", arch, file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 2) {
    crashed++;
    console.log(`${name}: CRASH (exit ${r.status}) ${r.stderr.split("\n").slice(0, 3).join(" | ")}`);
    continue;
  }
  const s = JSON.parse(r.stdout);
  const events = s.runs.reduce((a, x) => a + x.events, 0);
  const lines = s.runs.reduce((a, x) => a + x.lines, 0);
  const codes = {};
  for (const d of s.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
  const diag =
    Object.entries(codes)
      .map(([c, n]) => `${c}x${n}`)
      .join(" ") || "none";
  console.log(
    `${name}: ${s.runs.map((x) => x.kind).join(",")} arch=${arch} lines=${lines} events=${events} runs=${s.runs.length} syscalls=${Object.keys(s.syscalls).length} diagnostics: ${diag}`,
  );
  if (verbose) for (const d of s.diagnostics) console.log(`    ${d.line}:${d.col} ${d.code} ${d.message}`);
}
if (crashed) {
  console.log(`${crashed} file(s) crashed the parser`);
  process.exit(1);
}
