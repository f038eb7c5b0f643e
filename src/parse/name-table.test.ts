// NameTable, the parser's per-line name lookup, against a Map: names found in place inside lines,
// names that are prefixes of others (read, readv, readlink, readlinkat), many names (the table
// doubles several times), slots that collide, and names crafted to share one hash.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NameTable, nameHash, nameHashStep } from "./name-table.js";

/** The name at `from` in `line` and its hash, scanned as TraceParser.call scans it. */
function scan(line: string, from: number): { to: number; h: number } {
  let i = from;
  let h = 0;
  for (let c = line.charCodeAt(i); (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f; c = line.charCodeAt(++i)) h = nameHashStep(h, c);
  return { to: i, h };
}

describe("NameTable", () => {
  it("finds a name inside a line only when the whole name matches, not a prefix or an extension of it", () => {
    const t = new NameTable<string>();
    for (const n of ["read", "readv", "readlink", "readlinkat"]) t.set(n, n.toUpperCase());
    const prefix = "12345 14:50:52.123456 ";
    for (const n of ["read", "readv", "readlink", "readlinkat", "rea", "readl", "readlinkatx", "_exit"]) {
      const line = `${prefix}${n}(3, "x", 10) = 1`;
      const { to, h } = scan(line, prefix.length);
      assert.equal(h, nameHash(n));
      const want = ["read", "readv", "readlink", "readlinkat"].includes(n) ? n.toUpperCase() : undefined;
      assert.equal(t.find(line, prefix.length, to, h), want, n);
      assert.equal(t.get(n), want, n);
    }
  });

  it("agrees with a Map over thousands of names, as it doubles and as its slots collide", () => {
    const t = new NameTable<number>();
    const m = new Map<string, number>();
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) names.push(`syscall_0x${i.toString(16)}`, `n${i}`, "x".repeat(1 + (i % 40)) + String(i % 7));
    names.forEach((n, i) => {
      t.set(n, i);
      m.set(n, i);
    });
    // Set again: the count stays, the value changes.
    t.set("n1", -1);
    m.set("n1", -1);
    assert.equal(t.count, m.size);
    for (const [n, v] of m) {
      const line = `7 ${n}(0) = 0`;
      const { to, h } = scan(line, 2);
      assert.equal(to, 2 + n.length);
      // Found in place, or (a name whose slot and the next few were taken) by get().
      const found = t.find(line, 2, to, h);
      assert.ok(found === v || (found === undefined && t.get(n) === v), n);
    }
    assert.ok(t.overflowCount < m.size / 50, `${t.overflowCount} of ${m.size} ordinary names in the overflow`);
    for (const absent of ["syscall_0xfffff", "n3000", "x".repeat(41), "y"]) assert.equal(t.get(absent), undefined, absent);
    // Many names share the low bits of their hashes: each still finds its own value.
    const sameSlot = names.filter((n) => (nameHash(n) & 511) === (nameHash(names[0]!) & 511));
    assert.ok(sameSlot.length > 5, `only ${sameSlot.length} names share those bits`);
    for (const n of sameSlot) assert.equal(t.get(n), m.get(n));
  });

  it("keeps names an adversarial trace makes share one hash, without probing past a few slots", () => {
    // "an" and "c0" hash alike (2*31 - 62 = 0): twelve such blocks make 4096 names of one hash.
    const names: string[] = [];
    for (let m = 0; m < 4096; m++) names.push(Array.from({ length: 12 }, (_, b) => ((m >> b) & 1 ? "c0" : "an")).join(""));
    assert.equal(new Set(names.map(nameHash)).size, 1);
    const t = new NameTable<number>();
    for (const [i, n] of names.entries()) t.set(n, i);
    assert.equal(t.count, 4096);
    assert.ok(t.overflowCount >= 4096 - 8, `${t.overflowCount} names in the overflow`);
    for (const [i, n] of names.entries()) {
      assert.equal(t.get(n), i, n);
      const line = `1 ${n}(0) = 0`;
      const { to, h } = scan(line, 2);
      // In place, a name in the overflow is not found (the caller then cuts it out and uses get()).
      const found = t.find(line, 2, to, h);
      assert.ok(found === undefined || found === i, n);
    }
  });

  it("refuses the empty name, which marks a free slot", () => {
    assert.throws(() => new NameTable<number>().set("", 1), /cannot be empty/);
  });
});
