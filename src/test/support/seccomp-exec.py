#!/usr/bin/python3
"""Load a seccomp profile (Docker or OCI JSON) with libseccomp, as runc would, then exec a command.

Usage: seccomp-exec.py PROFILE.json CMD [ARGS...]
       seccomp-exec.py --check PROFILE.json   (every name must resolve on one of the profile's arches)

Follows runc's libcontainer/seccomp/patchbpf + seccomp_linux.go semantics that matter here: a rule
whose action equals the default action is ignored, a name libseccomp cannot resolve on any listed
architecture is skipped (runc logs and skips), MASKED_EQ takes the mask in `value` and the datum in
`valueTwo`, and no-new-privileges is set (libseccomp's default) so an unprivileged test can load it.
Needs Debian's python3-seccomp (for /usr/bin/python3).
"""
import json
import os
import sys

import seccomp

ARCHES = {
    "SCMP_ARCH_X86_64": seccomp.Arch.X86_64,
    "SCMP_ARCH_X86": seccomp.Arch.X86,
    "SCMP_ARCH_X32": seccomp.Arch.X32,
    "SCMP_ARCH_AARCH64": seccomp.Arch.AARCH64,
    "SCMP_ARCH_ARM": seccomp.Arch.ARM,
}
OPS = {
    "SCMP_CMP_EQ": seccomp.EQ,
    "SCMP_CMP_NE": seccomp.NE,
    "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_GE": seccomp.GE,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}


def action(name, errno_ret):
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO(errno_ret)
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return seccomp.KILL
    if name == "SCMP_ACT_KILL_PROCESS":
        return seccomp.KILL_PROCESS
    if name == "SCMP_ACT_LOG":
        return seccomp.LOG
    raise SystemExit(f"seccomp-exec: unsupported action {name}")


def resolves(arches, name):
    for a in arches:
        try:
            if seccomp.resolve_syscall(a, name) >= 0:
                return True
        except (ValueError, RuntimeError):
            pass
    return False


def main():
    argv = sys.argv[1:]
    check = argv[:1] == ["--check"]
    if check:
        argv = argv[1:]
    if not argv:
        raise SystemExit(__doc__)
    with open(argv[0]) as fh:
        profile = json.load(fh)
    arches = [ARCHES[a] for a in profile.get("architectures", [])] or [seccomp.system_arch()]
    if check:
        bad = sorted({n for r in profile["syscalls"] for n in r["names"] if not resolves(arches, n)})
        print("\n".join(bad))
        sys.exit(1 if bad else 0)
    default = action(profile["defaultAction"], profile.get("defaultErrnoRet", 1))
    f = seccomp.SyscallFilter(defaction=default)
    for a in arches:
        if not f.exist_arch(a):
            f.add_arch(a)
    for rule in profile["syscalls"]:
        act = action(rule["action"], rule.get("errnoRet", 1))
        if rule["action"] == profile["defaultAction"] and rule.get("errnoRet", 1) == profile.get("defaultErrnoRet", 1):
            continue
        conds = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in rule.get("args", [])]
        for name in rule["names"]:
            if not resolves(arches, name):
                print(f"seccomp-exec: skipping {name}: unknown to libseccomp on these arches", file=sys.stderr)
                continue
            f.add_rule(act, name, *conds)
    f.load()
    cmd = argv[1:]
    os.execvp(cmd[0], cmd)


main()
