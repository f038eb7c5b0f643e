// An esbuild plugin for scripts/prepare.mjs, in a file of its own so that a test
// (src/test/lazy-string-width.test.ts) can bundle string-width with it and compare.
import { readFile } from "node:fs/promises";

/**
 * string-width (two versions, through yargs and cliui) does costly work as it loads, though only
 * help and usage text measure widths with it:
 * - each version makes an Intl.Segmenter, which loads ICU's segmentation data (some 10 ms);
 * - version 8 compiles `/^\p{RGI_Emoji}$/v`, whose set of emoji sequences ICU builds (some 10 ms).
 * Bundled, both are made on first use. The text replaced is checked: a string-width that no longer
 * reads so fails the build instead of losing this silently.
 */
export function lazyStringWidth() {
  return {
    name: "lazy-string-width",
    setup(build) {
      build.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
        const text = await readFile(args.path, "utf8");
        const fail = (what) => {
          throw new Error(`${args.path}: expected ${what}; update scripts/prepare.mjs`);
        };
        const code = text.replace(/\/\/.*$/gm, "");
        const eager = "const segmenter = new Intl.Segmenter();";
        if (text.split(eager).length !== 2 || !/segmenter\.segment\(/.test(code) || /segmenter(?!\.segment\(|\s*=\s*new Intl)/.test(code))
          fail(`"${eager}" once, used only as segmenter.segment(...)`);
        let out = text.replace(eager, "let segmenterMade; const segmenter = { segment: (s) => (segmenterMade ??= new Intl.Segmenter()).segment(s) };");
        // Any regular expression literal on \p{RGI_Emoji} (not the mentions in comments).
        if (/\/[^/\n]*\\p\{RGI_Emoji\}[^/\n]*\/[a-z]*v/.test(code)) {
          const emoji = "const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;";
          if (code.split(emoji).length !== 2 || code.split("{RGI_Emoji}$/").length !== 2 || /rgiEmojiRegex(?!\.test\(|\s*=\s*\/)/.test(code))
            fail(`"${emoji}" once, used only as rgiEmojiRegex.test(...)`);
          // A function, so that the `$` is not read as a replacement pattern.
          out = out.replace(
            emoji,
            () => 'let rgiEmojiMade; const rgiEmojiRegex = { test: (s) => (rgiEmojiMade ??= new RegExp("^\\\\p{RGI_Emoji}$", "v")).test(s) };',
          );
        }
        return { contents: out, loader: "js" };
      });
    },
  };
}
