import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideCall, evaluateProfile, rawArgValues } from "./seccomp-eval.js";

const PROFILE = {
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 1,
  architectures: ["SCMP_ARCH_X86_64"],
  syscalls: [
    { names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW" },
    { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] },
    { names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] },
    { names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 2, op: "SCMP_CMP_EQ" }] },
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 },
    { names: ["ptrace"], action: "SCMP_ACT_KILL_PROCESS" },
    { names: ["bpf"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN"] } },
  ],
};

describe("evaluating a seccomp profile", () => {
  const v = evaluateProfile(PROFILE, "x86_64");
  it("gives each syscall the first rule naming it, else the default action", () => {
    assert.deepEqual(v.get("read"), { kind: "allow", action: "SCMP_ACT_ALLOW" });
    assert.deepEqual(v.get("pipe2"), { kind: "errno", action: "SCMP_ACT_ERRNO", errno: 1, explicit: false });
    assert.deepEqual(v.get("clone3"), { kind: "errno", action: "SCMP_ACT_ERRNO", errno: 38, explicit: true });
    assert.equal(v.get("ptrace")?.kind, "kill");
    assert.equal(v.get("bpf")?.kind, "errno", "includes.caps CAP_SYS_ADMIN is not among Docker's default capabilities");
  });
  it("decides argument rules on raw values: clone without namespace flags, socket by family", () => {
    const clone = v.get("clone")!;
    assert.equal(clone.kind, "conditional");
    assert.equal(decideCall(clone, rawArgValues("0x1200011, 0, 0, 0x7f1f91db3a10, 0")!)?.kind, "allow");
    assert.equal(decideCall(clone, rawArgValues("0x10000011, 0, 0, 0, 0")!)?.kind, "errno", "CLONE_NEWUSER");
    const socket = v.get("socket")!;
    assert.equal(decideCall(socket, rawArgValues("0x2, 0x80001, 0")!)?.kind, "allow");
    assert.equal(decideCall(socket, rawArgValues("0xa, 0x1, 0")!)?.kind, "errno", "AF_INET6 was never allowed");
    assert.equal(rawArgValues("AF_INET, SOCK_STREAM, 0"), undefined, "decoded (not raw) arguments are not guessed");
  });
  it("a profile for other architectures applies its default action to every call", () => {
    const arm = evaluateProfile({ ...PROFILE, architectures: ["SCMP_ARCH_AARCH64"] }, "x86_64");
    assert.equal(arm.get("read")?.kind, "errno");
  });
});
