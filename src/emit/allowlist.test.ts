// emitAllowlist writes the plainest paths itself instead of asking js-yaml: the bytes must be js-yaml's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { PLAIN_PATH } from "./allowlist.js";

/** How js-yaml writes `s` inside a flow sequence, with emitAllowlist's options. */
function dumped(s: string): string {
  return yaml.dump([s], { flowLevel: 0, lineWidth: -1, noRefs: true }).trimEnd().slice(1, -1);
}

describe("allowlist paths written without js-yaml", () => {
  it("are written by js-yaml unquoted, as they are", () => {
    const edge = [
      "/",
      "//",
      "/-",
      "/.",
      "/..",
      "/...",
      "/---",
      "/+",
      "/1",
      "/-1",
      "/0x1f",
      "/1e3",
      "/.inf",
      "/.nan",
      "/a-",
      "/a.",
      "/_",
      "/a/b-c.d+e_f",
      "/*",
      "/~",
      "/%",
      "/=",
      "/@",
      "/a/*/b",
    ];
    const chars = "abcXYZ019_./+*@~%=-";
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const generated = Array.from({ length: 20000 }, () => `/${Array.from({ length: random() % 12 }, () => chars[random() % chars.length]).join("")}`);
    for (const s of [...edge, ...generated]) {
      assert.ok(PLAIN_PATH.test(s), s);
      assert.equal(dumped(s), s, s);
    }
  });

  it("leave out what js-yaml would quote", () => {
    for (const s of ["", "/a b", "/a:b", "/a#b", "/a,b", "/a[b]", "/a{b}", "/a'b", '/a"b', "/a\nb", "/é", "a/b", "-/a", "/a!", "/a&", "/a?"])
      assert.ok(!PLAIN_PATH.test(s), s);
  });
});
