import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Compares `actual` with the reviewed file at `path`. `UPDATE_GOLDEN=1` rewrites it; a missing
 * golden file is a failure otherwise (never silently created).
 */
export function assertGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file ${path} is missing; create it with UPDATE_GOLDEN=1 and review it`);
  assert.equal(actual, readFileSync(path, "utf8"), `${path} differs (UPDATE_GOLDEN=1 to accept after review)`);
}
