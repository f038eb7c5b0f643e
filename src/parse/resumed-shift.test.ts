// `1<<CAP_CHOWN` inside the tail of a `<... capget resumed>` line (every container runtime's trace
// has one) is a shift in a capability set, not a `-y` decoration: the call must parse, and the
// counts must match strace's own -C table in the same file. On a committed real recording, and on
// a fresh one made by this test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import { FIXTURES } from "../test/support/paths.js";
import { skipUnless } from "../test/support/skip.js";

const RECORDING = join(FIXTURES, "capget-resumed", "capsh-parallel.f-C.trace.gz");
const SHIFT_RESUMED = /<\.\.\. capget resumed>\{effective=1<<CAP_/;

async function assertParsesClean(file: string, text: string): Promise<void> {
  assert.ok(SHIFT_RESUMED.test(text), "the recording holds no resumed capget with a << in its tail");
  const [run] = await expandInputs([file]);
  const result = await parseRun(run!, { arch: "x86_64" });
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.code}@${d.line}`),
    [],
    "diagnostics (SC_TABLE_MISMATCH means counts differ from strace -C)",
  );
  assert.ok(result.tables.length === 1, "the -C table was not read");
}

describe("<< inside a <... NAME resumed> tail", () => {
  it("a real recording of parallel capsh parses without diagnostics and matches its -C table", async () => {
    await assertParsesClean(RECORDING, gunzipSync(readFileSync(RECORDING)).toString("utf8"));
  });

  it("a fresh recording made now does too", { skip: skipUnless("strace", "capsh") }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-capget-"));
    try {
      // Parallel processes make strace split calls; retry until a capget is split (almost always the first time).
      for (let attempt = 0; attempt < 5; attempt++) {
        const file = join(dir, `run${attempt}.trace`);
        const r = spawnSync("strace", ["-f", "-C", "-o", file, "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do capsh --print >/dev/null & done; wait"], {
          encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        const text = readFileSync(file, "utf8");
        if (!SHIFT_RESUMED.test(text)) continue;
        await assertParsesClean(file, text);
        return;
      }
      assert.fail("no resumed capget in 5 recordings");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
