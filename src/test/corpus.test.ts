// The public corpus ($SYSCAGE_CORPUS or ../shared/corpus beside the repository: strace 4.5 to 6.14,
// written by other people; not in the repository) is read without a
// crash, every emitted name is a real syscall of its architecture, and the diagnostics raised are
// exactly the ones listed below, each with the reason a careful reader agrees with it.
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { isSyscall, type Arch } from "../model/arch.js";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import { CORPUS, exists } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";

/** Recorded on another architecture, as the corpus's PROVENANCE.md says. */
function corpusArch(name: string): Arch {
  if (name.includes("aarch64")) return "aarch64";
  if (name.includes("arm32")) return "arm";
  if (name.includes("i386")) return "i386";
  return "x86_64";
}

/** `CODE@line` per file; a file not listed must raise none. */
const EXPECTED: Record<string, { diagnostics: string[]; why: string }> = {
  "asterisk_f_p_threads_old.strace": {
    diagnostics: ["SC_TRUNCATED_TRACE@22949"],
    why: "strace -p detached (last line `<detached ...>`) while 52 threads were blocked in calls that never return in the file",
  },
  "clamav_p_attach_unterminated.strace": {
    diagnostics: ["SC_TRUNCATED_TRACE@197"],
    why: "the last line `poll([...], 1, 3600000` has no result and no newline: strace was stopped mid-call",
  },
  "uwsgi_f_t_2013.strace": {
    diagnostics: ["SC_TRUNCATED_TRACE@22772"],
    why: "the file ends with `epoll_wait(0,  <unfinished ...>`: the recording was cut while the server waited",
  },
  "nix-snapshotter_with_cmdline_header.strace": {
    diagnostics: ["SC_NOT_STRACE@1", "SC_UNFINISHED_LOST@301", "SC_UNFINISHED_LOST@558"],
    why: "line 1 is the shell command the author ran, not strace output; at lines 247 and 547 strace's own `Process N attached` message was spliced into a call line and strace never printed that call's result, so the pid's next call finds it unfinished",
  },
  "issue-excerpts/carbon-c-relay-issue306_old_attach_no_prefix_ctrl_c.txt": {
    diagnostics: ["SC_TRUNCATED_TRACE@3"],
    why: "the futex call was interrupted by ^C (detach) and never returned",
  },
  "issue-excerpts/halfempty-issue17_stderr_pid_futex.txt": {
    diagnostics: ["SC_RESUMED_WITHOUT_CALL@3", "SC_RESUMED_WITHOUT_CALL@18", "SC_TRUNCATED_TRACE@20"],
    why: "an excerpt cut from a longer trace: two calls resume whose start is before the excerpt, one starts and is cut off at its end",
  },
  "issue-excerpts/strace-issue152_old_resumed_with_space.txt": {
    diagnostics: ["SC_TRUNCATED_TRACE@4"],
    why: "an excerpt that ends with an unfinished call",
  },
  "issue-excerpts/strace-issue319_c_unknown_syscall_note.txt": {
    diagnostics: ["SC_TABLE_ROW@1"],
    why: "the excerpt of the -c table was cut before its total row",
  },
  "issue-excerpts/strace-pr396_c_and_cw_tables_elided.txt": {
    diagnostics: ["SC_TABLE_ROW@1", "SC_TABLE_ROW@6", "SC_TABLE_ROW@7", "SC_TABLE_DUPLICATE@7", "SC_TABLE_ROW@12"],
    why: "two tables of the same command with rows elided as `...` by the PR author and no total rows",
  },
  "issue-excerpts/wsl-issue548_strace4.12_debug_d_interleaved.txt": {
    diagnostics: [
      "SC_NOT_STRACE@2",
      "SC_NOT_STRACE@3",
      "SC_NOT_STRACE@4",
      "SC_NOT_STRACE@5",
      "SC_NOT_STRACE@6",
      "SC_NOT_STRACE@7",
      "SC_NOT_STRACE@10",
      "SC_NOT_STRACE@11",
      "SC_NOT_STRACE@12",
      "SC_NOT_STRACE@15",
    ],
    why: "strace -d debug output (`new tcb for pid 23`, ` [wait(0x057f) = 23] WIFSTOPPED`) on lines of its own; the debug text spliced inside call lines is skipped and the calls still count",
  },
};

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return walk(p);
      return /\.(strace|txt)$/.test(f) ? [p] : [];
    });
}

describe("public corpus", { skip: skipUnless("corpus") }, () => {
  const files = exists(CORPUS) ? walk(CORPUS) : [];
  it("holds the traces this test expects", () => {
    assert.ok(files.length >= 30, `found ${files.length} corpus files`);
    for (const name of Object.keys(EXPECTED))
      assert.ok(
        files.some((f) => relative(CORPUS, f) === name),
        `${name} is missing`,
      );
  });
  for (const file of files) {
    const name = relative(CORPUS, file);
    it(name, async () => {
      const arch = corpusArch(name);
      const [run] = await expandInputs([file]);
      const bad: string[] = [];
      const result = await parseRun(run!, {
        arch,
        onSyscall: (e) => {
          if (e.known !== isSyscall(e.arch, e.name)) bad.push(`${e.line}: ${e.name} known=${e.known} on ${e.arch}`);
        },
      });
      assert.ok(result.lines > 0);
      assert.ok(result.events > 0 || result.tables.length > 0, "neither calls nor a summary table found");
      assert.deepEqual(bad.slice(0, 5), []);
      // Names from tables are checked too: every one must exist on the table's architecture.
      for (const t of result.tables)
        for (const n of Object.keys(t.rows)) assert.ok(isSyscall(t.arch, n), `${n} from the table at line ${t.line} is not a ${t.arch} syscall`);
      const got = result.diagnostics.filter((d) => d.line > 0).map((d) => `${d.code}@${d.line}`);
      assert.deepEqual(got, EXPECTED[name]?.diagnostics ?? []);
    });
  }
});
