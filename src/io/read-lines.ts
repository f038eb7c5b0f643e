import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** Longest line kept (bytes). `-s 1000000 -xx` lines reach 4 MB; beyond this a line is skipped with a diagnostic. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface LineHandler {
  /** A physical line without `\n`, as latin1 (one char per byte, so no byte is lost). */
  line(text: string, lineNo: number, complete: boolean): void;
  /** A chunk of decompressed input, before it is split into lines. */
  bytes(n: number, chunk: Buffer): void;
  /** A file-level problem; reading stops after it. */
  problem(code: "SC_BINARY_INPUT" | "SC_EMPTY_INPUT" | "SC_INPUT_UNREADABLE" | "SC_LINE_TOO_LONG", message: string, lineNo: number): void;
}

/** Opens `path` (or standard input for `-`) as a byte stream. */
export function openInput(path: string): Readable {
  return path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/** The decompressed chunks of a stream: gzip is recognised by its magic bytes, whatever the name. */
export async function* decompressed(input: Readable): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const rest = Readable.from(
      (async function* () {
        yield head;
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      })(),
    );
    const gunzip = createGunzip({ chunkSize: 1 << 16 });
    rest.on("error", (e) => gunzip.destroy(e));
    yield* rest.pipe(gunzip) as AsyncIterable<Buffer>;
    return;
  }
  yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value;
  }
}

/**
 * Text is decoded in windows of about this many bytes, each ending after a newline: a string this
 * small lives in V8's young generation and dies in a cheap scavenge, where a 1 MiB chunk's string
 * goes to the large-object space and waits for a full collection (peak RSS of generate on a 129 MiB
 * trace: 229 MB with 1 MiB strings, 130 MB with 64 KiB ones).
 */
export const DECODE_WINDOW = 64 << 10;

/** Where the window of `buf` that starts at `from` ends: after its last newline, else (a long line) DECODE_WINDOW on, or at the end. */
export function windowEnd(buf: Uint8Array, from: number): number {
  const limit = from + DECODE_WINDOW;
  if (limit >= buf.length) return buf.length;
  const nl = buf.lastIndexOf(10, limit - 1);
  return nl >= from ? nl + 1 : limit;
}

/**
 * Streams the lines of one input to `h`. Memory is bounded by the chunk size plus the longest line.
 * CRLF is left to the parser (it strips a final `\r`); a missing final newline is reported as
 * `complete: false`.
 */
export async function readLines(input: Readable, h: LineHandler): Promise<void> {
  let lineNo = 0;
  let carry: string[] = [];
  let carryLen = 0;
  let skipping = false;
  let first = true;
  let total = 0;
  // Only what reading throws (I/O, a bad gzip) is the input's problem. What the handler throws is
  // ours (a bug), and must not pass for an unreadable input with the lines before it kept: it
  // propagates, after the stream is let go.
  const chunks = decompressed(input);
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (e) {
        h.problem("SC_INPUT_UNREADABLE", `cannot read: ${(e as Error).message}`, lineNo);
        return;
      }
      if (next.done) break;
      const buf = next.value;
      if (first) {
        first = false;
        const probe = buf.subarray(0, 8192);
        if (probe.includes(0)) {
          h.problem("SC_BINARY_INPUT", "this is binary data (NUL bytes), not strace text output", 0);
          input.destroy();
          return;
        }
      }
      total += buf.length;
      h.bytes(buf.length, buf);
      for (let w = 0; w < buf.length; ) {
        const wEnd = windowEnd(buf, w);
        const s = buf.toString("latin1", w, wEnd);
        w = wEnd;
        let start = 0;
        for (;;) {
          const nl = s.indexOf("\n", start);
          if (nl < 0) break;
          lineNo++;
          if (skipping) {
            skipping = false;
          } else if (carryLen > 0) {
            carry.push(s.slice(start, nl));
            h.line(carry.join(""), lineNo, true);
            carry = [];
            carryLen = 0;
          } else {
            h.line(s.slice(start, nl), lineNo, true);
          }
          start = nl + 1;
        }
        if (start < s.length && !skipping) {
          const rest = s.slice(start);
          if (carryLen + rest.length > MAX_LINE_BYTES) {
            const head = (carry.join("") + rest).slice(0, 60);
            h.problem("SC_LINE_TOO_LONG", `line ${lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes and was skipped (it starts "${head}")`, lineNo + 1);
            carry = [];
            carryLen = 0;
            skipping = true;
          } else {
            carry.push(rest);
            carryLen += rest.length;
          }
        }
      }
    }
  } finally {
    // Stopped early (binary input, a read error, a handler's throw): close the generator and the file.
    if (!input.destroyed && !input.readableEnded) input.destroy();
    await chunks.return(undefined).catch(() => undefined);
  }
  if (carryLen > 0) {
    lineNo++;
    h.line(carry.join(""), lineNo, false);
  }
  if (total === 0) h.problem("SC_EMPTY_INPUT", "the input is empty", 0);
}
