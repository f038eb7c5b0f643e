import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseText } from "../test/support/parse-text.js";
import { DenialCollector, denialsFail } from "./denials.js";
import { evaluateProfile } from "./seccomp-eval.js";

const PROFILE = {
  defaultAction: "SCMP_ACT_ERRNO",
  syscalls: [
    { names: ["execve", "write", "exit_group", "clone"], action: "SCMP_ACT_ALLOW" },
    { names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] },
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
  ],
};

function collect(trace: string, emulated: boolean) {
  const c = new DenialCollector(evaluateProfile(PROFILE, "x86_64"), emulated);
  for (const e of parseText(trace).events) c.observe(e);
  return c.result();
}

describe("collecting denials from a run under a profile", () => {
  it("emulated: an argument rule that denies the recorded arguments is 'would be denied'; an allowed value is not", () => {
    const d = collect(
      [
        '10 execve("/usr/bin/python3", ["python3"], 0x1 /* 1 vars */) = 0',
        "10 socket(0x1, 0x80001, 0) = 3",
        "10 socket(0x2, 0x80001, 0) = 4",
        "10 socket(0x2, 0x1, 0) = 5",
        "",
      ].join("\n"),
      true,
    );
    assert.deepEqual(
      d.map((x) => [x.syscall, x.kind, x.errno, x.count, x.programs, x.firstLine]),
      [["socket", "would-be-denied", "EPERM", 2, ["/usr/bin/python3"], 3]],
    );
    assert.equal(denialsFail(d), true);
  });
  it("under a real filter: only calls that failed with the profile's errno count; children inherit the program", () => {
    const d = collect(
      [
        '10 execve("/bin/sh", ["sh"], 0x1 /* 1 vars */) = 0',
        "10 clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 11 in strace's PID NS */",
        "11 pipe2(0x7ffd, 0) = -1 EPERM (Operation not permitted)",
        "10 pipe2(0x7ffd, 0) = -1 EMFILE (Too many open files)",
        "",
      ].join("\n"),
      false,
    );
    assert.deepEqual(
      d.map((x) => [x.syscall, x.kind, x.errno, x.count, x.programs, x.explicit]),
      [["pipe2", "denied", "EPERM", 1, ["/bin/sh"], false]],
    );
  });
  it("an intended ENOSYS (clone3) followed by the clone fallback does not fail the run", () => {
    const d = collect(
      [
        '10 execve("/usr/bin/python3", ["python3"], 0x1 /* 1 vars */) = 0',
        "10 clone3({flags=CLONE_VM, exit_signal=0}, 88) = -1 ENOSYS (Function not implemented) (INJECTED)",
        "10 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_THREAD) = 12",
        "",
      ].join("\n"),
      true,
    );
    assert.equal(d.length, 1);
    assert.deepEqual(d[0]!.fallback, { syscall: "clone", calls: 1 });
    assert.equal(d[0]!.explicit, true);
    assert.equal(denialsFail(d), false);
  });
});
