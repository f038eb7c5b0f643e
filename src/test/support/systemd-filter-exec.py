#!/usr/bin/python3
"""Apply a systemd drop-in's sandboxing to a command the way systemd v252 does, then exec it.

Usage: systemd-filter-exec.py DROPIN.conf CMD [ARGS...]
       systemd-filter-exec.py --print DROPIN.conf   (the resolved filter as JSON, for tests)

systemd cannot start services here (no systemd as PID 1), so this applies what the [Service]
section says with the same kernel mechanisms, following systemd v252's code:
- SystemCallFilter= (src/core/load-fragment.c config_parse_syscall_filter and
  src/shared/seccomp-util.c seccomp_parse_syscall_filter): an empty assignment resets; the first
  line decides allow list or deny list; an allow list always includes @default; a later `~name`
  removes a name, `~name:ERRNO` answers it with ERRNO; `@set` names expand. The sets, @default
  included, are read from `systemd-analyze syscall-filter`, so they are the installed systemd's.
- SystemCallErrorNumber= is the default action (unset: kill the process).
- SystemCallArchitectures= (seccomp_restrict_archs): only the listed ABIs (native is the machine's).
- RestrictAddressFamilies= (seccomp_restrict_address_families): socket() with another family
  fails with EAFNOSUPPORT.
- CapabilityBoundingSet=: every capability not listed is dropped from the bounding set before
  execve (capability names and numbers from `systemd-analyze capability`).
Filters are loaded with libseccomp (Debian's python3-seccomp), like systemd does, just before execve.
"""
import ctypes
import errno as errno_mod
import json
import os
import subprocess
import sys

import seccomp

SYSTEMD_ARCH = {
    "x86-64": seccomp.Arch.X86_64,
    "x86": seccomp.Arch.X86,
    "x32": seccomp.Arch.X32,
    "arm64": seccomp.Arch.AARCH64,
    "arm": seccomp.Arch.ARM,
}
AF_MAX = 46
PR_CAPBSET_DROP = 24


def analyze(*args):
    return subprocess.run(["systemd-analyze", *args], check=True, capture_output=True, text=True).stdout


_sets = {}


def expand(name):
    """A syscall name, or the names of a systemd set (recursively), from systemd-analyze itself."""
    if not name.startswith("@"):
        return [name]
    if name not in _sets:
        names = []
        for line in analyze("syscall-filter", name).splitlines()[1:]:
            t = line.strip()
            if t and not t.startswith("#"):
                names.extend(expand(t))
        _sets[name] = names
    return _sets[name]


def assignments(text):
    section = ""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i]
        i += 1
        t = line.strip()
        if not t or t[0] in "#;":
            continue
        if t.startswith("[") and t.endswith("]"):
            section = t[1:-1]
            continue
        key, _, value = t.partition("=")
        if section == "Service":
            yield key.strip(), value.strip()


def errno_value(text):
    return int(text) if text.isdigit() else getattr(errno_mod, text)


def resolve(text):
    f = {"filter": None, "allow": False, "errno": None, "arches": None, "families": None, "families_allow": False, "caps": None}
    for key, value in assignments(text):
        if key == "SystemCallFilter":
            if value == "":
                f["filter"], f["allow"] = None, False
                continue
            invert = value.startswith("~")
            if invert:
                value = value[1:]
            if f["filter"] is None:
                f["filter"] = {}
                f["allow"] = not invert
                if not invert:
                    for n in expand("@default"):
                        f["filter"][n] = None
            for word in value.split():
                name, _, err = word.partition(":")
                err = errno_value(err) if err else None
                if not invert and err is not None:
                    continue  # systemd: "Allow-listed system calls cannot take error number, ignoring"
                for n in expand(name):
                    if (not invert) == f["allow"] or (invert and f["allow"] and err is not None):
                        f["filter"][n] = err
                    else:
                        f["filter"].pop(n, None)
        elif key == "SystemCallErrorNumber":
            f["errno"] = None if value in ("", "kill") else errno_value(value)
        elif key == "SystemCallArchitectures":
            f["arches"] = None if value == "" else (f["arches"] or []) + value.split()
        elif key == "RestrictAddressFamilies":
            if value == "":
                f["families"] = None
            elif value == "none":
                f["families"], f["families_allow"] = [], True
            else:
                invert = value.startswith("~")
                words = (value[1:] if invert else value).split()
                if f["families"] is None:
                    f["families"], f["families_allow"] = [], not invert
                for w in words:
                    if invert != f["families_allow"]:
                        f["families"] = sorted(set(f["families"]) | {w})
                    else:
                        f["families"] = [x for x in f["families"] if x != w]
        elif key == "CapabilityBoundingSet":
            invert = value.startswith("~")
            words = (value[1:] if invert else value).split()
            if value == "":
                f["caps"] = []
            elif invert:
                raise SystemExit("systemd-filter-exec: inverted CapabilityBoundingSet= is not supported here")
            else:
                f["caps"] = sorted(set(f["caps"] or []) | set(words))
    return f


def family_number(name):
    import socket

    return int(getattr(socket, name))


def main():
    argv = sys.argv[1:]
    printing = argv[:1] == ["--print"]
    if printing:
        argv = argv[1:]
    if not argv:
        raise SystemExit(__doc__)
    with open(argv[0]) as fh:
        f = resolve(fh.read())
    if printing:
        print(json.dumps(f, sort_keys=True))
        return
    if f["caps"] is not None:
        libc = ctypes.CDLL(None, use_errno=True)
        keep = {c.lower() for c in f["caps"]}
        for line in analyze("capability").splitlines()[1:]:
            name, number = line.split()
            if name not in keep and libc.prctl(PR_CAPBSET_DROP, int(number), 0, 0, 0) != 0 and ctypes.get_errno() != errno_mod.EINVAL:
                raise SystemExit(f"systemd-filter-exec: cannot drop {name}: {os.strerror(ctypes.get_errno())}")
    if f["families"] is not None:
        fam = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        listed = {family_number(n) for n in f["families"]}
        deny = [n for n in range(AF_MAX) if (n not in listed) == f["families_allow"]]
        for n in deny:
            fam.add_rule(seccomp.ERRNO(errno_mod.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, n))
        if f["families_allow"]:
            fam.add_rule(seccomp.ERRNO(errno_mod.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GE, AF_MAX))
        fam.load()
    if f["filter"] is not None:
        negative = seccomp.KILL_PROCESS if f["errno"] is None else seccomp.ERRNO(f["errno"])
        default, action = (negative, seccomp.ALLOW) if f["allow"] else (seccomp.ALLOW, negative)
        flt = seccomp.SyscallFilter(defaction=default)
        for a in f["arches"] or []:
            if a == "native":
                continue  # a new filter always holds the native architecture
            arch = SYSTEMD_ARCH[a]
            if not flt.exist_arch(arch):
                flt.add_arch(arch)
        for name, err in f["filter"].items():
            try:
                flt.add_rule(action if err is None else seccomp.ERRNO(err), name)
            except (ValueError, RuntimeError, OSError):
                pass  # systemd: a name unknown on this architecture is ignored
        flt.load()
    os.execvp(argv[1], argv[1:])


main()
