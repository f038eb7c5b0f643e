// readLines decodes its chunks in windows that end after a newline (DECODE_WINDOW): lines that
// cross a window or a chunk, lines longer than a window, bytes above 0x7f and a last line without
// newline must come out exactly as splitting the whole input would give them.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { DECODE_WINDOW, readLines, windowEnd } from "./read-lines.js";

/** A deterministic mix of line lengths around the window size (xorshift, so failures reproduce). */
function sampleText(seed: number): string {
  let x = seed;
  const rnd = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const lengths = [0, 1, DECODE_WINDOW - 1, DECODE_WINDOW, DECODE_WINDOW + 1, 3 * DECODE_WINDOW + 7];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const len = i % 9 === 0 ? lengths[rnd(lengths.length)]! : rnd(300);
    let l = "";
    for (let k = 0; k < len; k++) l += String.fromCharCode(k % 97 === 5 ? 0xe9 : 0x61 + ((k + i) % 26));
    lines.push(i % 13 === 0 ? `${l}\r` : l);
  }
  return lines.join("\n");
}

async function linesOf(text: string, chunk: number): Promise<{ lines: string[]; complete: boolean[] }> {
  const bytes = Buffer.from(text, "latin1");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const lines: string[] = [];
  const complete: boolean[] = [];
  await readLines(Readable.from(chunks), {
    line: (t, n, c) => {
      assert.equal(n, lines.length + 1);
      lines.push(t);
      complete.push(c);
    },
    bytes: () => {},
    problem: (code, message) => assert.fail(`${code} ${message}`),
  });
  return { lines, complete };
}

test("lines crossing decode windows and chunks come out whole", async () => {
  for (const seed of [1, 7, 1234567]) {
    const text = sampleText(seed);
    const want = text.split("\n");
    for (const chunk of [1 << 20, DECODE_WINDOW + 3, 4093]) {
      const got = await linesOf(text, chunk);
      assert.equal(got.lines.length, want.length, `seed ${seed} chunk ${chunk}`);
      assert.deepEqual(got.lines, want, `seed ${seed} chunk ${chunk}`);
      // The text ends without a newline: only the last line is incomplete.
      assert.deepEqual(
        got.complete.map((c, i) => (c ? -1 : i)).filter((i) => i >= 0),
        [want.length - 1],
      );
    }
  }
});

test("windowEnd ends a window after its last newline, or at the window size for one long line", () => {
  const b = Buffer.alloc(3 * DECODE_WINDOW, 0x61);
  b[10] = 10;
  b[DECODE_WINDOW + 5] = 10;
  assert.equal(windowEnd(b, 0), 11);
  assert.equal(windowEnd(b, 11), DECODE_WINDOW + 6);
  assert.equal(windowEnd(b, DECODE_WINDOW + 6), 2 * DECODE_WINDOW + 6);
  assert.equal(windowEnd(b, 2 * DECODE_WINDOW + 6), b.length);
});
