import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO } from "../test/support/paths.js";
import { addressFamilyValue, personalityValue } from "./arg-values.js";
import { straceNumber } from "./strace-number.js";

describe("straceNumber: the one reader of numbers in strace's argument text", () => {
  it("reads decimal, hex and octal as strace prints them, comments dropped", () => {
    const cases: [string, number | undefined][] = [
      ["0", 0],
      ["2", 2],
      ["-1", -1],
      ["0x10", 16],
      ["0X1f", 31],
      ["010", 8],
      ["0644", 420],
      ["0755", 493],
      ["2 /* AF_INET */", 2],
      ["0x2 /* PF_INET */", 2],
      ["  17 ", 17],
      ["09", undefined],
      ["08", undefined],
      ["0x", undefined],
      ["AF_INET", undefined],
      ["1e3", undefined],
      ["", undefined],
      ["- 1", undefined],
    ];
    for (const [text, want] of cases) assert.equal(straceNumber(text), want, JSON.stringify(text));
  });

  it("argument values read a leading 0 as octal, as the resource collector does", () => {
    // Before the two parsers were merged, arg-values read `010` as ten.
    assert.equal(addressFamilyValue("010"), 8);
    assert.equal(addressFamilyValue("09"), undefined);
    assert.equal(personalityValue("010"), 8);
    assert.equal(addressFamilyValue("AF_INET6"), 10);
  });

  it("no other file in src/parse has its own number regexes (octal `^0[0-7]+$`, decimal `^-?\\d+$`)", () => {
    const dir = join(REPO, "src", "parse");
    const own = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "strace-number.ts");
    const offenders = own.filter((f) => /\/\^0\[0-7\]\+\$\/|\/\^-\?\\d\+\$\//.test(readFileSync(join(dir, f), "utf8")));
    assert.deepEqual(offenders, []);
  });
});
