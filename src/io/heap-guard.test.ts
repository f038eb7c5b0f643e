// HeapGuard: a full collection when the heap is past its limit, at most once per step of input,
// and none under the limit. scripts/bench-many-pids.mjs shows what it does to peak RSS.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getHeapStatistics } from "node:v8";
import { HeapGuard } from "./heap-guard.js";

const STEP = 8 << 20;

describe("HeapGuard", () => {
  it("collects once the heap is past its limit, and the collection frees dead objects", () => {
    // Some 40 MB of objects that survive long enough to be promoted, then die.
    let garbage: string[][] | undefined = Array.from({ length: 200 }, (_, i) => Array.from({ length: 2000 }, (_, j) => `dead ${i} ${j} ${"x".repeat(64)}`));
    assert.ok(garbage.length > 0);
    garbage = undefined;
    const before = getHeapStatistics().used_heap_size;
    const g = new HeapGuard(1 << 20);
    g.read(STEP - 1);
    assert.equal(g.collections, 0, "not before a step of input");
    g.read(1);
    assert.equal(g.collections, 1);
    const after = getHeapStatistics().used_heap_size;
    assert.ok(after < before - (20 << 20), `heap ${before} -> ${after} bytes: the dead objects were not collected`);
    g.read(STEP / 2);
    assert.equal(g.collections, 1, "at most once per step");
    g.read(STEP);
    assert.equal(g.collections, 2);
  });

  it("does nothing while the heap is under its limit", () => {
    const g = new HeapGuard(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 10; i++) g.read(STEP);
    assert.equal(g.collections, 0);
  });
});
