// The build's string-width plugin (scripts/lazy-string-width.mjs): every string-width the CLI
// bundles is bundled here with it, and must measure what the package itself measures, while doing
// none of its costly work (an Intl.Segmenter, the RGI_Emoji expression) as it loads.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
type Width = (s: string) => number;

/** Each string-width the bundle holds: the one yargs imports, and those of cliui and wrap-ansi. */
const FROM = [root, join(root, "node_modules", "cliui"), join(root, "node_modules", "wrap-ansi")];

const SAMPLES = [
  "",
  "syscage generate --name web",
  "tab\there",
  "\u001b[31mred\u001b[39m",
  "caf\u00e9 na\u00efve",
  "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
  "\uff21\uff22\uff23 fullwidth",
  "emoji \u{1F600} \u{1F44D}\u{1F3FD} \u{1F468}\u200D\u{1F469}\u200D\u{1F467}",
  "flags \u{1F1E9}\u{1F1EA} keycap 1\uFE0F\u20E3 #\u20E3",
  "\u2764\uFE0F \u2764 \u263A\uFE0F text-style \u263A",
  "combining e\u0301 a\u0308 \u0915\u093F",
  "zero width\u200B\u200Cjoin\u2060",
  "\u{1F9D1}\u{1F3FB}\u200D\u{1F4BB} \u{1F3F3}\uFE0F\u200D\u{1F308}",
];

async function bundled(resolveDir: string, dir: string, index: number, plugins: Plugin[]): Promise<{ width: Width; text: string }> {
  const out = await esbuild.build({
    stdin: { contents: 'export { default } from "string-width";', resolveDir, loader: "js" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins,
  });
  const text = out.outputFiles[0]!.text;
  const file = join(dir, `sw-${index}-${plugins.length}.mjs`);
  writeFileSync(file, text);
  const mod = (await import(pathToFileURL(file).href)) as { default: Width };
  return { width: mod.default, text };
}

describe("the build's lazy string-width", async () => {
  const { lazyStringWidth } = (await import(pathToFileURL(join(root, "scripts", "lazy-string-width.mjs")).href)) as { lazyStringWidth: () => Plugin };

  for (const [i, from] of FROM.entries()) {
    it(`measures as string-width itself does (${from === root ? "yargs'" : from.split("/").pop()})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "syscage-sw-"));
      try {
        const plain = await bundled(from, dir, i, []);
        const lazy = await bundled(from, dir, i, [lazyStringWidth()]);
        // Loading makes neither the Segmenter nor, where the package has it, the RGI_Emoji expression.
        assert.match(lazy.text, /segmenterMade \?\?= new Intl\.Segmenter\(\)/);
        assert.doesNotMatch(lazy.text, /^var segmenter\w* = new Intl\.Segmenter\(\)/m);
        if (plain.text.includes("RGI_Emoji}$")) {
          assert.match(lazy.text, /rgiEmojiMade \?\?= new RegExp\(/);
          assert.doesNotMatch(lazy.text, /^var rgiEmojiRegex\w* = new RegExp/m);
        }
        for (const s of SAMPLES) assert.equal(lazy.width(s), plain.width(s), JSON.stringify(s));
        // Twice: the second call uses what the first made.
        for (const s of SAMPLES) assert.equal(lazy.width(s), plain.width(s), JSON.stringify(s));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("fails the build when string-width no longer reads as expected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-sw-"));
    try {
      const pkg = join(dir, "node_modules", "string-width");
      const { mkdirSync } = await import("node:fs");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "string-width", type: "module", main: "index.js" }));
      // The emoji expression under another name: the plugin must not let it load eagerly unnoticed.
      writeFileSync(
        join(pkg, "index.js"),
        "const segmenter = new Intl.Segmenter();\nconst emojiRe = /^\\p{RGI_Emoji}$/v;\nexport default (s) => [...segmenter.segment(s)].filter((x) => !emojiRe.test(x.segment)).length;\n",
      );
      await assert.rejects(bundled(dir, dir, 9, [lazyStringWidth()]), /expected "const rgiEmojiRegex/);
      writeFileSync(join(pkg, "index.js"), "const seg = new Intl.Segmenter();\nexport default (s) => [...seg.segment(s)].length;\n");
      await assert.rejects(bundled(dir, dir, 10, [lazyStringWidth()]), /expected "const segmenter = new Intl.Segmenter\(\);" once/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
