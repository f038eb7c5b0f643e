// The layers and the direction of their imports, enforced. Each layer may import only from layers
// below it (and itself):
//
//   model  <-  parse  <-  aggregate  <-  diff, emit  <-  pipeline  <-  io  <-  cli
//
// model/ holds types, tables and schemas; parse/ reads strace text; aggregate/ merges runs into
// allowlists and policies; emit/ writes artifacts and reports, diff/ compares them; pipeline/ puts
// these together for one container; io/ touches the world (files, processes, runtimes); cli/ parses
// flags and prints. diff/ and emit/ sit at one level: diff/ reads artifacts, emit/ writes them, and
// neither builds on the other. The pure layers (everything below io/) import no node:fs,
// node:child_process, nor the process or console globals: they compute, io/ and cli/ act.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import fg from "fast-glob";
import { REPO } from "./support/paths.js";

const RANK: Record<string, number> = { model: 0, parse: 1, aggregate: 2, diff: 3, emit: 3, pipeline: 4, io: 5, cli: 6 };
const PURE = Object.keys(RANK).filter((l) => RANK[l]! < RANK.io!);
/** Node modules the pure layers may not import (node:path, node:crypto, node:util and node:net's isIP compute). */
const IMPURE_MODULES = /^(node:)?(fs|fs\/promises|child_process|worker_threads|http|https|os|readline|process)$/;
/** Globals that touch the world. `process` as a word also covers `process.env`, `process.stdout`. */
const IMPURE_GLOBALS = /(?<![\w.$'"`])(process|console)\s*[.[]/;

const SRC = join(REPO, "src");
const sources = fg
  .sync("**/*.ts", { cwd: SRC })
  .filter((f) => !f.endsWith(".test.ts") && !f.startsWith("test/"))
  .sort();

function layerOf(rel: string): string | undefined {
  const top = rel.split("/")[0]!;
  return top in RANK ? top : undefined;
}

/** Module specifiers a file imports: static, `export … from` and dynamic `import("…")`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/(?:^|[;\n])\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g)) out.push(m[1]!);
  for (const m of code.matchAll(/(?:^|[;\n])\s*import\s*["']([^"']+)["']/g)) out.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Code without comments and quoted strings, so `"console"` in a message is no use of it (template literals stay: their `${…}` is code). */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
}

describe("layering", () => {
  it("finds the layers' files and reads their imports", () => {
    for (const l of Object.keys(RANK))
      assert.ok(
        sources.some((f) => layerOf(f) === l),
        `no files in src/${l}`,
      );
    assert.deepEqual(
      importsOf(
        'import a from "x";\nimport type { B } from "../y.js";\nexport { c } from "./z.js";\nconst d = await import("../w.js");\nimport "./side.js";\n',
      ).sort(),
      ["../w.js", "../y.js", "./side.js", "./z.js", "x"],
    );
    assert.match(codeOnly('process.stdout.write("x")'), IMPURE_GLOBALS);
    assert.doesNotMatch(codeOnly('throw new Error("see process.env")'), IMPURE_GLOBALS);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template literal in it
    assert.match(codeOnly("const s = `${process.env.HOME}`;"), IMPURE_GLOBALS);
  });

  it("no layer imports a layer above it", () => {
    const bad: string[] = [];
    for (const f of sources) {
      const from = layerOf(f);
      if (from === undefined) continue;
      for (const spec of importsOf(readFileSync(join(SRC, f), "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = relative(SRC, join(SRC, f, "..", spec));
        const to = layerOf(target);
        if (to === undefined) {
          if (target.startsWith("test/") || target.startsWith("..")) bad.push(`${f} imports ${spec} (outside the layers)`);
          continue;
        }
        if (to !== from && RANK[to]! >= RANK[from]!) bad.push(`${f} (${from}) imports ${target} (${to})`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("the pure layers import no fs, child_process, process or console", () => {
    const bad: string[] = [];
    for (const f of sources) {
      const l = layerOf(f);
      if (l === undefined || !PURE.includes(l)) continue;
      const text = readFileSync(join(SRC, f), "utf8");
      for (const spec of importsOf(text)) if (IMPURE_MODULES.test(spec)) bad.push(`${f} imports ${spec}`);
      const lines = codeOnly(text).split("\n");
      lines.forEach((line, i) => {
        if (IMPURE_GLOBALS.test(line)) bad.push(`${f}:${i + 1}: ${line.trim().slice(0, 100)}`);
      });
    }
    assert.deepEqual(bad, []);
  });
});
