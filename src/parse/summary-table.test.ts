// -c / -cw / -C tables are read by their header row: -U column choices, -S order, widened columns,
// blank error cells, personality tables and the total row check.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseText } from "../test/support/parse-text.js";

function rows(text: string, arch: "x86_64" | "aarch64" = "x86_64") {
  const { result } = parseText(text, { arch });
  return { tables: result.tables.map((t) => ({ arch: t.arch, rows: t.rows })), codes: result.diagnostics.map((d) => `${d.code}@${d.line}`), kind: result.kind };
}

describe("summary tables", () => {
  it("-U name,calls,errors,max-time,avg-time -S calls (strace 6.1)", () => {
    const r = rows(
      [
        "syscall              calls    errors  longest  usecs/call",
        "---------------- --------- --------- -------- -----------",
        "openat                  41        19 0.000020           9",
        "mmap                    38           0.000025           5",
        "newfstatat              33         8 0.000008           3",
        "---------------- --------- --------- -------- -----------",
        "total                  112        27 0.000025           6",
        "",
      ].join("\n"),
    );
    assert.deepEqual(r.tables, [
      { arch: "x86_64", rows: { openat: { calls: 41, errors: 19 }, mmap: { calls: 38, errors: 0 }, newfstatat: { calls: 33, errors: 8 } } },
    ]);
    assert.deepEqual(r.codes, []);
    assert.equal(r.kind, "summary");
  });

  it("-U errors,calls,name,total-time,time-percent,min-time (columns in another order)", () => {
    const r = rows(
      [
        "   errors     calls syscall              seconds % time shortest",
        "--------- --------- ---------------- ----------- ------ --------",
        "                  1 read                0.000000   0.00 0.000000",
        "        3         3 access              0.000000   0.00 0.000000",
        "--------- --------- ---------------- ----------- ------ --------",
        "        3         4 total               0.000000 100.00 0.000000",
        "",
      ].join("\n"),
    );
    assert.deepEqual(r.tables[0]?.rows, { read: { calls: 1, errors: 0 }, access: { calls: 3, errors: 3 } });
    assert.deepEqual(r.codes, []);
  });

  it("a 32-bit personality table gets its own architecture", () => {
    const header = "% time     seconds  usecs/call     calls    errors syscall\n------ ----------- ----------- --------- --------- ----------------\n";
    const rule = "------ ----------- ----------- --------- --------- ----------------\n";
    const r = rows(
      `${header}100.00    0.000010          10         1           execve\n${rule}100.00    0.000010          10         1           total\n` +
        `System call usage summary for 32 bit mode:\n${header} 60.00    0.000006           3         2           mmap2\n 40.00    0.000004           4         1         1 access\n${rule}100.00    0.000010           3         3         1 total\n`,
    );
    assert.deepEqual(r.tables, [
      { arch: "x86_64", rows: { execve: { calls: 1, errors: 0 } } },
      { arch: "i386", rows: { mmap2: { calls: 2, errors: 0 }, access: { calls: 1, errors: 1 } } },
    ]);
  });

  it("values wider than their column (pre-5.6 fixed widths) still land in the right column", () => {
    const r = rows(
      [
        "% time     seconds  usecs/call     calls    errors syscall",
        "------ ----------- ----------- --------- --------- ----------------",
        " 59.63 1271.830170        1981 123456789        19 poll",
        "------ ----------- ----------- --------- --------- ----------------",
        "100.00 1271.830170        1981 123456789        19 total",
        "",
      ].join("\n"),
    );
    assert.deepEqual(r.tables[0]?.rows, { poll: { calls: 123456789, errors: 19 } });
  });

  it("rows that do not add up to the total row are reported", () => {
    const r = rows(
      [
        "% time     seconds  usecs/call     calls    errors syscall",
        "------ ----------- ----------- --------- --------- ----------------",
        " 60.00    0.000006           3         2         1 close",
        "------ ----------- ----------- --------- --------- ----------------",
        "100.00    0.000010           3         5         1 total",
        "",
      ].join("\n"),
    );
    assert.deepEqual(r.codes, ["SC_TABLE_TOTAL@5"]);
  });
});
