// HeapGuard: a full collection when the heap is past its limit, at most once per step of input,
// and none under the limit. scripts/bench-many-pids.mjs shows what it does to peak RSS.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getHeapStatistics } from "node:v8";
import { HeapGuard, STEP_BYTES as STEP } from "./heap-guard.js";

/** Some 40 MB of objects that survive long enough to be promoted (the caller drops them). */
function promoted(tag: string): string[][] {
  return Array.from({ length: 200 }, (_, i) => Array.from({ length: 2000 }, (_, j) => `${tag} ${i} ${j} ${"x".repeat(64)}`));
}

describe("HeapGuard", () => {
  it("collects once the heap is past its limit, and the collection frees dead objects", () => {
    let garbage: string[][] | undefined = promoted("dead");
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
    // Past the limit, the heap grew by more than half of it since: collects again.
    let more: string[][] | undefined = promoted("dead again");
    assert.ok(more.length > 0);
    more = undefined;
    g.read(STEP);
    assert.equal(g.collections, 2);
  });

  it("live data past the limit: collects again only once as much garbage lies on top of it", () => {
    const live = promoted("live");
    const g = new HeapGuard(8 << 20);
    g.read(STEP);
    assert.equal(g.collections, 1, "the heap is past the limit");
    // Nothing new: a collection at every step would free nothing and cost a full mark of the live data.
    for (let i = 0; i < 5; i++) g.read(STEP);
    assert.equal(g.collections, 1, "collected again with no garbage on top of the live data");
    let garbage: string[][] | undefined = promoted("dead");
    assert.ok(garbage.length > 0);
    garbage = undefined;
    g.read(STEP);
    assert.equal(g.collections, 2, "40 MB of garbage on top of the live data");
    assert.ok(live.length > 0);
  });

  it("does nothing while the heap is under its limit", () => {
    const g = new HeapGuard(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 10; i++) g.read(STEP);
    assert.equal(g.collections, 0);
  });
});
