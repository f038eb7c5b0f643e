#!/usr/bin/env node
// The floor: the least work a Node program can do to name every call of an strace trace, the
// yardstick the benchmark divides syscage's time by. It reads 1 MiB chunks as latin1, finds each
// newline with indexOf and scans the line where it lies, without slicing it out: it steps over a
// `[pid N] ` prefix or a PID column, a timestamp (digits, `:`, `.`, spaces), an -i `[address] `,
// then counts the `[a-z0-9_]+` name before `(`. One short string per call line, nothing else.
//
// Usage: node scripts/floor-scan.mjs FILE [--json]
//   prints `LINES lines MB/s names=N`, or with --json {"lines", "bytes", "seconds", "names": {name: count}}
import { createReadStream } from "node:fs";

const file = process.argv[2];
const json = process.argv.includes("--json");
if (!file) {
  process.stderr.write("usage: node scripts/floor-scan.mjs FILE [--json]\n");
  process.exit(2);
}

const counts = new Map();
let lines = 0;
let bytes = 0;

/** Index after the spaces, digits, `:` and `.` from `i` (a PID column and any timestamp). */
function skipNumbers(s, i, end) {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 46 || (c >= 48 && c <= 58)) i++;
    else break;
  }
  return i;
}

/** Index after a `[...] ` group opening at `i` (a `[pid N]` prefix or an -i address), or `i`. */
function skipBracket(s, i, end) {
  if (s.charCodeAt(i) !== 91) return i;
  const close = s.indexOf("] ", i);
  return close > 0 && close < end ? close + 2 : i;
}

function scanLine(s, from, end) {
  let i = from;
  if (s.startsWith("[pid", i)) i = skipBracket(s, i, end);
  i = skipBracket(s, skipNumbers(s, i, end), end);
  i = skipNumbers(s, i, end);
  const start = i;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) break;
  }
  if (i > start && s.charCodeAt(i) === 40) {
    const name = s.slice(start, i);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
}

const t0 = performance.now();
let carry = "";
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  bytes += chunk.length;
  const s = carry.length > 0 ? carry + chunk.toString("latin1") : chunk.toString("latin1");
  let from = 0;
  for (let nl = s.indexOf("\n"); nl >= 0; nl = s.indexOf("\n", from)) {
    lines++;
    scanLine(s, from, nl);
    from = nl + 1;
  }
  carry = s.slice(from);
}
if (carry.length > 0) {
  lines++;
  scanLine(carry, 0, carry.length);
}
const seconds = (performance.now() - t0) / 1000;
if (json) process.stdout.write(JSON.stringify({ lines, bytes, seconds, names: Object.fromEntries([...counts].sort()) }));
else process.stdout.write(`${lines} lines ${(bytes / 1e6 / seconds).toFixed(0)} MB/s names=${counts.size}\n`);
