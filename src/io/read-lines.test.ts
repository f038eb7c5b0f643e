// readLines decodes its chunks in windows that end after a newline (DECODE_WINDOW): lines that
// cross a window or a chunk, lines longer than a window, bytes above 0x7f and a last line without
// newline must come out exactly as splitting the whole input would give them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { DECODE_WINDOW, openInput, readLines, windowEnd } from "./read-lines.js";

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

test("an error thrown by the line handler propagates: it is not an unreadable input", async () => {
  const dir = mkdtempSync(join(tmpdir(), "syscage-lines-"));
  try {
    const file = join(dir, "t.trace");
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `${i} getpid() = ${i}`).join("\n"));
    const input = openInput(file);
    const problems: string[] = [];
    let seen = 0;
    await assert.rejects(
      readLines(input, {
        line: () => {
          if (++seen === 1234) throw new TypeError("a bug in a handler");
        },
        bytes: () => {},
        problem: (code, message) => problems.push(`${code} ${message}`),
      }),
      /a bug in a handler/,
    );
    assert.deepEqual(problems, []);
    assert.equal(seen, 1234, "no line after the throw");
    assert.ok(input.destroyed, "the file is let go");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a gzip cut short is unreadable from where it breaks; the lines before it are kept", async () => {
  const text = Array.from({ length: 20000 }, (_, i) => `${i} openat(AT_FDCWD, "/srv/f${(i * 7919) % 100003}", O_RDONLY) = 3`).join("\n");
  const gz = gzipSync(Buffer.from(text, "latin1"));
  const cut = gz.subarray(0, gz.length >> 1);
  const lines: string[] = [];
  const problems: string[] = [];
  await readLines(Readable.from([cut]), {
    line: (t) => lines.push(t),
    bytes: () => {},
    problem: (code, message) => problems.push(`${code} ${message}`),
  });
  assert.deepEqual(problems, ["SC_INPUT_UNREADABLE cannot read: unexpected end of file"]);
  assert.ok(lines.length > 1000 && lines.length < 20000, `${lines.length} lines`);
  assert.deepEqual(lines.slice(0, -1), text.split("\n").slice(0, lines.length - 1));
});
