// NameTable, the parser's per-line name lookup, against a Map: names found in place inside lines,
// names that are prefixes of others (read, readv, readlink, readlinkat), many names (the table
// doubles several times), and slots that collide.

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
      assert.equal(t.find(line, 2, to, h), v, n);
    }
    for (const absent of ["syscall_0xfffff", "n3000", "x".repeat(41), "y"]) assert.equal(t.get(absent), undefined, absent);
    // Many names share a slot (the low bits of their hashes): each still finds its own value.
    const sameSlot = names.filter((n) => (nameHash(n) & 511) === (nameHash(names[0]!) & 511));
    assert.ok(sameSlot.length > 5, `only ${sameSlot.length} names share a slot`);
    for (const n of sameSlot) assert.equal(t.get(n), m.get(n));
  });

  it("refuses the empty name, which marks a free slot", () => {
    assert.throws(() => new NameTable<number>().set("", 1), /cannot be empty/);
  });
});
