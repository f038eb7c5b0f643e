/**
 * Facts about seccomp that a syscall trace cannot show, gathered from the source of the tools
 * involved (OCI runtimes, the Go runtime, glibc, the kernel's vDSO) and from Docker's default
 * profile. Plain data: no logic.
 *
 * Every syscall name in every list below was checked against libseccomp's syscalls.csv
 * (seccomp/libseccomp @ 90d3f7d, `src/syscalls.csv`, copy in data/libseccomp-syscalls.csv):
 * a name under the "*" key exists on all five ABIs syscage knows (x86_64, i386, x32, aarch64,
 * arm); a name under an arch key exists on that arch. Names that differ per ABI (the *32 uid/gid
 * calls and *64 stat/fcntl calls on i386/arm, mmap2, _llseek, the time64 calls, the missing
 * legacy calls on aarch64) sit under the arch keys. Lists are sorted.
 *
 * Notation in `source`: repository, path, commit (or URL); several sources are separated by "; ".
 */

/** A named set of syscalls a profile needs although a workload trace never shows them. */
export interface Baseline {
  name: BaselineName;
  /** One or two sentences: why these are needed. */
  description: string;
  /** Where the list comes from: repo, path, commit/tag, or URL; several allowed, separated by "; ". */
  source: string;
  /**
   * Names per architecture (kernel/libseccomp names). The "*" key holds names common to all
   * arches, the per-arch keys arch-specific additions (the effective list for an arch is the
   * union of "*" and its own key).
   */
  syscalls: { "*"?: readonly string[] } & Partial<
    Record<"x86_64" | "i386" | "x32" | "aarch64" | "arm", readonly string[]>
  >;
}

import type { BaselineName } from "./baseline-names.js";

export type { BaselineName } from "./baseline-names.js";

// Sources shared by several entries, spelled once.
const RUNC_SRC =
  "opencontainers/runc libcontainer/standard_init_linux.go and libcontainer/setns_init_linux.go @ 02120488a4c0fc487d1ed2867e901eeed7ce8ecf (v1.2 line: pidfd socket, runc-dmz); " +
  "runc libcontainer/init_linux.go v1.2 line (finalizeNamespace, setupUser, verifyCwd; same file as runc v1.0 vendored in kubernetes/kubernetes vendor/github.com/opencontainers/runc/libcontainer/init_linux.go @ 018211b5b576c27ac94092626249ff8801c65244); " +
  "opencontainers/runc libcontainer/utils/utils_unix.go @ 019ee45c625cf0dd2f84870c45953f9ed254603c (CloseExecFrom, UnsafeCloseFrom, EnsureProcHandle, ProcThreadSelf); " +
  "golang/go src/runtime/os_linux.go @ 02fa1b3b25cd300bc96ee7f833b932c6a22acce1 (futex, clone in newosproc, signalM = tgkill(getpid()), rt_sigprocmask, sigaltstack, osyield = sched_yield)";
const SPO_RUNC_SRC =
  "kubernetes-sigs/security-profiles-operator examples/baseprofile-runc.yaml @ d110382b5d66ac2429de87898624f76b3212e1ab (runc-v1.2.3, 37 names) and @ 09277380eed5c3b593f40e62964cd5bc61506306 (runc-v1.0.0-rc92, 25 names); " +
  "openshift/security-profiles-operator examples/baseprofile-runc.yaml @ 18ed2f4516a510f5511fceb7ba941fb410cb2f29 (runc-v1.3.0, 42 names)";
const CRUN_SRC =
  "containers/crun src/libcrun/container.c @ 003d19d04da803b73c830b8ff5b3b2ca66b8195d (apply_security_settings, container_init_setup, container_init); " +
  "containers/crun src/libcrun/linux.c set_required_caps (prctl PR_CAPBSET_DROP/PR_SET_KEEPCAPS/PR_CAP_AMBIENT, setresgid, setresuid, capset); " +
  "containers/crun src/libcrun/utils.c mark_or_close_fds_ge_than (close_range CLOSE_RANGE_CLOEXEC, else open /proc/self/fd + fstatfs + readdir + fcntl) and find_executable (eaccess, stat); " +
  "containers/crun src/libcrun/seccomp.c libcrun_apply_seccomp";
const SPO_CRUN_SRC =
  "kubernetes-sigs/security-profiles-operator examples/baseprofile-crun.yaml @ 0683a19040b6568bc85cd4b492230dbaa38bb2c0 (crun-v1.21, 53 names) and @ 01f297650817e59b1705f5893972edc6f27f89f9 (crun-v1.18, same 53 names)";

// The 64-bit x86 names of each baseline: x86_64 and x32 (the same syscall names, another ABI) share them.
const RUNC_64BIT: readonly string[] = [
  "arch_prctl",
  "fchown",
  "fcntl",
  "fstat",
  "fstatfs",
  "getuid",
  "mmap",
  "newfstatat",
  "select",
  "setgid",
  "setgroups",
  "setresgid",
  "setresuid",
  "setuid",
];

const RUNC_NNP_64BIT: readonly string[] = ["fstatfs", "mmap", "newfstatat"];

const CRUN_64BIT: readonly string[] = [
  "access",
  "arch_prctl",
  "chmod",
  "chown",
  "dup2",
  "fchown",
  "fcntl",
  "fstat",
  "fstatfs",
  "getegid",
  "geteuid",
  "getgid",
  "getuid",
  "lseek",
  "mmap",
  "nanosleep",
  "newfstatat",
  "readlink",
  "select",
  "setgroups",
  "setresgid",
  "setresuid",
  "statfs",
];

const CRUN_NNP_64BIT: readonly string[] = ["fcntl", "fstat", "fstatfs", "mmap", "newfstatat"];

export const BASELINES: Record<BaselineName, Baseline> = {
  runc: {
    name: "runc",
    description:
      "Syscalls runc init (and its Go runtime) makes after loading the filter when no_new_privileges is off: the filter is loaded before finalizeNamespace, so the fd walk (close_range or /proc/thread-self/fd with fstatfs/getdents64/fcntl), capget/capset/prctl, /etc/passwd lookup, fchown of stdio, setgroups/setgid/setuid, chdir/getcwd, exec.LookPath (newfstatat, faccessat2), the exec-fifo open/write and execve (execveat with runc-dmz) all run under it, with futex/nanosleep/tgkill/clone/mmap from the Go runtime meanwhile. " +
      "Union of the source reading and SPO's recorded runc bases (v1.0.0-rc92, v1.2.3, v1.3.0), which add process-start calls (arch_prctl, brk, set_tid_address, exit_group), recvfrom on the sync socket, setresuid/setresgid and select; personality (only with linux.personality) and startContainer hooks are not covered.",
    source: `${RUNC_SRC}; ${SPO_RUNC_SRC}`,
    syscalls: {
      "*": [
        "brk",
        "capget",
        "capset",
        "chdir",
        "clone",
        "close",
        "close_range",
        "epoll_ctl",
        "epoll_pwait",
        "execve",
        "execveat",
        "exit_group",
        "faccessat",
        "faccessat2",
        "futex",
        "getcwd",
        "getdents64",
        "getpid",
        "getppid",
        "gettid",
        "madvise",
        "mprotect",
        "munmap",
        "nanosleep",
        "openat",
        "prctl",
        "read",
        "recvfrom",
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "sched_yield",
        "set_tid_address",
        "sigaltstack",
        "tgkill",
        "write",
      ],
      // 64-bit ABIs: plain uid/gid calls, fstat/fstatfs/fcntl, mmap.
      x86_64: RUNC_64BIT,
      x32: RUNC_64BIT, // the same ABI names as x86_64
      // No arch_prctl (TLS is a register) and no select on aarch64: pselect6 replaces select.
      aarch64: [
        "fchown",
        "fcntl",
        "fstat",
        "fstatfs",
        "getuid",
        "mmap",
        "newfstatat",
        "pselect6",
        "setgid",
        "setgroups",
        "setresgid",
        "setresuid",
        "setuid",
      ],
      // 32-bit ABIs: *32 uid/gid calls, *64 stat/fcntl/statfs calls, mmap2; i386 Go and
      // x/sys/unix reach sockets through socketcall; TLS via set_thread_area (i386) / set_tls (arm);
      // pselect6 stands in for the x86_64-only select that SPO recorded.
      i386: [
        "fchown32",
        "fcntl64",
        "fstat64",
        "fstatat64",
        "fstatfs64",
        "getuid32",
        "mmap2",
        "pselect6",
        "set_thread_area",
        "setgid32",
        "setgroups32",
        "setresgid32",
        "setresuid32",
        "setuid32",
        "socketcall",
      ],
      arm: [
        "fchown32",
        "fcntl64",
        "fstat64",
        "fstatat64",
        "fstatfs64",
        "getuid32",
        "mmap2",
        "pselect6",
        "set_tls",
        "setgid32",
        "setgroups32",
        "setresgid32",
        "setresuid32",
        "setuid32",
      ],
    },
  },

  "runc-nnp": {
    name: "runc-nnp",
    description:
      "With no_new_privileges runc loads the filter as late as possible, after finalizeNamespace and exec.LookPath: only closing the sync and log pipes, reopening the exec fifo through /proc/thread-self/fd (openat, write, close), UnsafeCloseFrom's /proc/thread-self/fd walk (openat, fstatfs, getdents64, close) and execve/execveat remain, plus the Go runtime while the fifo open blocks until `runc start`. " +
      "Derived from source only: SPO's recorded bases are taken without no_new_privileges, so there is nothing to compare with.",
    source: RUNC_SRC,
    syscalls: {
      "*": [
        "clone",
        "close",
        "epoll_ctl",
        "epoll_pwait",
        "execve",
        "execveat",
        "futex",
        "getdents64",
        "getpid",
        "gettid",
        "madvise",
        "mprotect",
        "munmap",
        "nanosleep",
        "openat",
        "read",
        "rt_sigprocmask",
        "rt_sigreturn",
        "sched_yield",
        "sigaltstack",
        "tgkill",
        "write",
      ],
      // ProcThreadSelf's one-time os.Stat("/proc/thread-self/") may first run here (setns path).
      x86_64: RUNC_NNP_64BIT,
      x32: RUNC_NNP_64BIT, // the same ABI names as x86_64
      aarch64: ["fstatfs", "mmap", "newfstatat"],
      i386: ["fstatat64", "fstatfs64", "mmap2"],
      arm: ["fstatat64", "fstatfs64", "mmap2"],
    },
  },

  crun: {
    name: "crun",
    description:
      "Syscalls crun (C, single-threaded) makes after loading the filter when no_new_privileges is off: apply_security_settings loads it and then set_required_caps runs (prctl, setresgid, setresuid, capset), then find_executable (eaccess = faccessat2, stat), chdir, the sync-socket write, the exec-fifo wait (select/pselect6, read), close_range or the /proc/self/fd walk, and execve. " +
      "Union with SPO's recorded crun base (v1.18/v1.21, 53 names) except mount, pivot_root, setns, unshare and umount2: crun's container_init_setup runs those before the filter is loaded, and SPO's recorder captures the whole runtime process, so they are not needed under the filter.",
    source: `${CRUN_SRC}; ${SPO_CRUN_SRC}`,
    syscalls: {
      "*": [
        "brk",
        "capset",
        "chdir",
        "close",
        "close_range",
        "execve",
        "exit_group",
        "faccessat",
        "faccessat2",
        "fchdir",
        "getcwd",
        "getdents64",
        "ioctl",
        "mkdirat",
        "mknodat",
        "mprotect",
        "munmap",
        "openat",
        "openat2",
        "prctl",
        "pselect6",
        "read",
        "rt_sigaction",
        "rt_sigprocmask",
        "set_tid_address",
        "sethostname",
        "setsid",
        "statx",
        "symlinkat",
        "umask",
        "write",
      ],
      x86_64: CRUN_64BIT,
      x32: CRUN_64BIT, // the same ABI names as x86_64
      // glibc on aarch64 reaches the legacy x86_64 names through the *at / 3 forms
      // (access→faccessat, chmod→fchmodat, chown→fchownat, dup2→dup3, readlink→readlinkat).
      aarch64: [
        "dup3",
        "fchmodat",
        "fchown",
        "fchownat",
        "fcntl",
        "fstat",
        "fstatfs",
        "getegid",
        "geteuid",
        "getgid",
        "getuid",
        "lseek",
        "mmap",
        "nanosleep",
        "newfstatat",
        "readlinkat",
        "setgroups",
        "setresgid",
        "setresuid",
        "statfs",
      ],
      // 32-bit glibc: *32 uid/gid calls, *64 fcntl/statfs/stat calls, mmap2, _llseek and the
      // time64 calls it tries first (clock_nanosleep_time64 for nanosleep, pselect6_time64 for
      // select; the 32-bit fallbacks are only reached on ENOSYS from kernels older than 5.1).
      i386: [
        "_llseek",
        "access",
        "chmod",
        "chown32",
        "clock_nanosleep_time64",
        "dup2",
        "fchown32",
        "fcntl64",
        "fstat64",
        "fstatat64",
        "fstatfs64",
        "getegid32",
        "geteuid32",
        "getgid32",
        "getuid32",
        "mmap2",
        "pselect6_time64",
        "readlink",
        "set_thread_area",
        "setgroups32",
        "setresgid32",
        "setresuid32",
        "statfs64",
      ],
      arm: [
        "_llseek",
        "access",
        "chmod",
        "chown32",
        "clock_nanosleep_time64",
        "dup2",
        "fchown32",
        "fcntl64",
        "fstat64",
        "fstatat64",
        "fstatfs64",
        "getegid32",
        "geteuid32",
        "getgid32",
        "getuid32",
        "mmap2",
        "pselect6_time64",
        "readlink",
        "set_tls",
        "setgroups32",
        "setresgid32",
        "setresuid32",
        "statfs64",
      ],
    },
  },

  "crun-nnp": {
    name: "crun-nnp",
    description:
      "With no_new_privileges crun loads the filter in container_init right before the exec: after it only mark_or_close_fds_ge_than (close_range with CLOSE_RANGE_CLOEXEC, or open /proc/self/fd + fstatfs + fdopendir/readdir + fcntl) and execve remain, plus freeing the filter buffer and writing an error to stderr if exec fails. " +
      "Derived from source only: SPO's recorded crun base is taken without no_new_privileges.",
    source: CRUN_SRC,
    syscalls: {
      "*": ["brk", "close", "close_range", "execve", "getdents64", "munmap", "openat", "statx", "write"],
      x86_64: CRUN_NNP_64BIT,
      x32: CRUN_NNP_64BIT, // the same ABI names as x86_64
      aarch64: ["fcntl", "fstat", "fstatfs", "mmap", "newfstatat"],
      i386: ["fcntl64", "fstat64", "fstatat64", "fstatfs64", "mmap2"],
      arm: ["fcntl64", "fstat64", "fstatat64", "fstatfs64", "mmap2"],
    },
  },

  always: {
    name: "always",
    description:
      "Needed by any process under a filter although strace rarely shows them: signal return (rt_sigreturn, and sigreturn for non-SA_SIGINFO handlers on i386/arm), restart_syscall after an interrupted sleep, thread and process exit, and the real syscalls behind each arch's vDSO functions, which the C library or Go calls when the vDSO lacks the clock or is absent (libseccomp#70, firecracker#2393). " +
      "On x32 the vDSO may fall back to the x86_64 syscall (libseccomp#107), so x32 profiles also need SCMP_ARCH_X86_64 for these.",
    source:
      "torvalds/linux arch/x86/entry/vdso/vdso64/vdso64.lds.S @ c17ee635fd3a482b2ad2bf5e269755c2eae5f25e (clock_gettime, gettimeofday, getcpu, time, clock_getres, getrandom); " +
      "torvalds/linux arch/x86/entry/vdso/vdso64/vdsox32.lds.S @ c17ee635fd3a482b2ad2bf5e269755c2eae5f25e (clock_gettime, gettimeofday, getcpu, time, clock_getres); " +
      "torvalds/linux arch/x86/entry/vdso/vdso32/vdso32.lds.S @ 104a813376837da3b9651457d6fdc99596257fba (clock_gettime, gettimeofday, time, clock_getres, clock_gettime64, clock_getres_time64, getcpu, __kernel_sigreturn, __kernel_rt_sigreturn); " +
      "torvalds/linux arch/arm64/kernel/vdso/vdso.lds.S @ 0b3bc3354eb9ad36719a044726092750a2ba01ff (rt_sigreturn, gettimeofday, clock_gettime, clock_getres, getrandom); " +
      "torvalds/linux arch/arm/vdso/vdso.lds.S @ 052e76a31b4a64d7678e270d498e1bc36c342f88 (clock_gettime, gettimeofday, clock_getres); " +
      "bminor/glibc sysdeps/unix/sysv/linux/clock_gettime.c @ 03343699496edd866141a8bbdfeb19ae98537394 (32-bit: clock_gettime64, then clock_gettime on ENOSYS); " +
      "https://github.com/seccomp/libseccomp/issues/70; https://github.com/firecracker-microvm/firecracker/issues/2393; https://github.com/seccomp/libseccomp/issues/107",
    syscalls: {
      "*": ["clock_getres", "clock_gettime", "exit", "exit_group", "gettimeofday", "restart_syscall", "rt_sigreturn"],
      x86_64: ["getcpu", "getrandom", "time"],
      x32: ["getcpu", "time"],
      aarch64: ["getrandom"],
      i386: ["clock_getres_time64", "clock_gettime64", "getcpu", "sigreturn", "time"],
      arm: ["clock_gettime64", "sigreturn"],
    },
  },

  "task-local": {
    name: "task-local",
    description:
      "Calls that act only on the calling task and reach no file, process or network resource, and whose use depends on timing, so a trace slowed down by strace often misses them: waiting for a signal (rt_sigsuspend, sigsuspend, pause, rt_sigtimedwait), the task's own signal mask, pending set and alternate stack (rt_sigprocmask, sigprocmask, rt_sigpending, sigaltstack), and giving up the CPU (sched_yield). " +
      "dash's `wait` blocks in sigsuspend only when the child is still alive, which under strace it rarely is; denying it leaves dash spinning with every signal blocked.",
    source:
      "torvalds/linux kernel/signal.c SYSCALL_DEFINE2(rt_sigsuspend), SYSCALL_DEFINE0(pause), SYSCALL_DEFINE4(rt_sigtimedwait), SYSCALL_DEFINE4(rt_sigprocmask), SYSCALL_DEFINE2(rt_sigpending), SYSCALL_DEFINE2(sigaltstack) (each reads or changes only current's signal state); kernel/sched/syscalls.c SYSCALL_DEFINE0(sched_yield); " +
      "git.kernel.org/pub/scm/utils/dash/dash.git src/jobs.c waitproc (sigsuspend while no SIGCHLD has arrived)",
    syscalls: {
      "*": ["rt_sigpending", "rt_sigprocmask", "rt_sigsuspend", "rt_sigtimedwait", "sched_yield", "sigaltstack"],
      x86_64: ["pause"],
      x32: ["pause"],
      i386: ["pause", "rt_sigtimedwait_time64", "sigprocmask", "sigsuspend"],
      arm: ["pause", "rt_sigtimedwait_time64", "sigprocmask", "sigsuspend"],
    },
  },
};

/**
 * Syscalls glibc (and others) probe, falling back to an older call only on ENOSYS.
 * Unobserved ones get an explicit errnoRet 38 rule.
 *
 * Left out on purpose, for lack of evidence that ENOSYS (rather than any error) is what matters:
 * rseq (glibc marks registration failed on any error and carries on), epoll_pwait2, pidfd_open,
 * futex_waitv (no glibc-internal fallback found).
 */
export const ENOSYS_PROBES: readonly { name: string; fallback: string; reason: string; source: string }[] = [
  {
    name: "clock_gettime64",
    fallback: "clock_gettime",
    reason:
      "i386/arm only: 32-bit glibc tries clock_gettime64 (vDSO, then syscall) and drops to 32-bit clock_gettime only when it fails with ENOSYS; the other *_time64 wrappers follow the same pattern (libseccomp#228: EPERM from utimensat_time64 broke futimens).",
    source:
      "bminor/glibc sysdeps/unix/sysv/linux/clock_gettime.c @ 03343699496edd866141a8bbdfeb19ae98537394; https://github.com/seccomp/libseccomp/issues/228",
  },
  {
    name: "clone3",
    fallback: "clone",
    reason:
      "glibc >= 2.34 creates threads and processes with clone3 and falls back to clone only on ENOSYS; EPERM makes pthread_create fail (curl: getaddrinfo() thread failed to start). Docker's default profile returns errnoRet 38 for clone3 without CAP_SYS_ADMIN.",
    source:
      "bminor/glibc sysdeps/unix/sysv/linux/clone-internal.c @ 2053c11331991818882f7cf023ed2ce4ff44b274; https://github.com/moby/moby/issues/42680; https://github.com/moby/moby/pull/42681; https://github.com/containerd/containerd/pull/6013",
  },
  {
    name: "close_range",
    fallback: "close",
    reason:
      "crun falls back to walking /proc/self/fd (fstatfs, getdents64, fcntl F_SETFD) only when close_range fails with ENOSYS or EINVAL and aborts on other errors; glibc closefrom and runc's CloseExecFrom fall back on any error, so ENOSYS satisfies all of them.",
    source:
      "containers/crun src/libcrun/utils.c mark_or_close_fds_ge_than; opencontainers/runc libcontainer/utils/utils_unix.go @ 019ee45c625cf0dd2f84870c45953f9ed254603c",
  },
  {
    name: "faccessat2",
    fallback: "faccessat",
    reason:
      "glibc >= 2.33 implements faccessat/access/eaccess with faccessat2 and falls back to faccessat only on ENOSYS; EPERM from old Docker profiles made access checks fail. Go's syscall.Faccessat also tries faccessat2 first.",
    source:
      "bminor/glibc sysdeps/unix/sysv/linux/faccessat.c @ 01bd62517cc242ae503aaa7002e9e94551803e4d; https://github.com/systemd/systemd/pull/16739; https://github.com/lxqt/lxqt-panel/pull/1562",
  },
  {
    name: "fchmodat2",
    fallback: "fchmodat",
    reason:
      "glibc >= 2.39 calls fchmodat2 for fchmodat(..., AT_SYMLINK_NOFOLLOW); under a filter that returns EPERM, tar fails with 'Cannot change mode', while ENOSYS degrades gracefully to the old path.",
    source:
      "https://github.com/docker/docker-ce-packaging/pull/1013; https://github.com/moby/moby/issues/42871",
  },
  {
    name: "openat2",
    fallback: "openat",
    reason:
      "crun's safe_openat tries openat2(RESOLVE_IN_ROOT) and switches to openat for good on ENOSYS (EINVAL also falls back once); other errors are returned to the caller.",
    source: "containers/crun src/libcrun/utils.c safe_openat",
  },
  {
    name: "statx",
    fallback: "fstatat64",
    reason:
      "i386/arm only: 32-bit glibc >= 2.33 implements stat/fstatat with statx and falls back to fstatat64 only on -ENOSYS; 64-bit glibc calls newfstatat directly and never probes statx for stat().",
    source: "bminor/glibc sysdeps/unix/sysv/linux/fstatat64.c @ 1fbffbda365ae8582981dfb284c83903931dd312",
  },
];

/**
 * High-risk syscalls a profile lint names, with the reason.
 *
 * Based on Docker's table of significant syscalls blocked by its default profile
 * (docker/docs content/manuals/engine/security/seccomp.md @ 2c92482e6aba70316cdd61cc7adf1dbe7002936c,
 * formerly moby/moby docs/security/seccomp.md) and on which names Docker's default profile
 * (moby/profiles @ cd3bed8 seccomp/default.json, data/moby-seccomp-default.json) leaves out
 * or gates behind a capability; io_uring per moby/moby#46762.
 */
export const HIGH_RISK: Readonly<Record<string, string>> = {
  _sysctl: "Obsolete, replaced by /proc/sys; blocked by Docker.",
  acct: "Process accounting could let a container disable its own accounting or limits (CAP_SYS_PACCT).",
  add_key: "Kernel keyring is not namespaced (Docker blocks it).",
  adjtimex: "Changes the host clock, which is not namespaced (CAP_SYS_TIME).",
  bpf: "Loads possibly persistent BPF programs into the kernel (CAP_SYS_ADMIN/CAP_BPF in Docker).",
  chroot: "Changes the root directory; with a leaked directory fd it helps escape (Docker: CAP_SYS_CHROOT only).",
  clock_adjtime: "Changes the host clock, which is not namespaced (CAP_SYS_TIME).",
  clock_adjtime64: "32-bit time64 form of clock_adjtime: changes the host clock (CAP_SYS_TIME).",
  clock_settime: "Sets the host clock, which is not namespaced (CAP_SYS_TIME).",
  clock_settime64: "32-bit time64 form of clock_settime: sets the host clock (CAP_SYS_TIME).",
  clone: "Risky only with namespace flags (CLONE_NEW*): creates namespaces; Docker allows clone only with those flags masked out unless CAP_SYS_ADMIN.",
  clone3: "Can create namespaces and its flags sit in a struct that seccomp cannot inspect; Docker returns ENOSYS unless CAP_SYS_ADMIN.",
  create_module: "Obsolete kernel-module call (CAP_SYS_MODULE); blocked by Docker.",
  delete_module: "Unloads kernel modules (CAP_SYS_MODULE).",
  finit_module: "Loads kernel modules from a file descriptor (CAP_SYS_MODULE).",
  fsconfig: "New mount API: configures a filesystem context to mount (CAP_SYS_ADMIN in Docker).",
  fsmount: "New mount API: creates a mount from a filesystem context (CAP_SYS_ADMIN in Docker).",
  fsopen: "New mount API: opens a filesystem context (CAP_SYS_ADMIN in Docker).",
  fspick: "New mount API: reconfigures an existing mount (CAP_SYS_ADMIN in Docker).",
  get_kernel_syms: "Obsolete: retrieves exported kernel and module symbols; blocked by Docker.",
  get_mempolicy: "NUMA memory-policy call Docker gates behind CAP_SYS_NICE.",
  init_module: "Loads kernel modules (CAP_SYS_MODULE).",
  io_uring_enter: "io_uring performs I/O outside seccomp's view and is a frequent source of kernel exploits; Docker blocks it since moby#46762.",
  io_uring_register: "io_uring performs I/O outside seccomp's view and is a frequent source of kernel exploits; Docker blocks it since moby#46762.",
  io_uring_setup: "io_uring performs I/O outside seccomp's view and is a frequent source of kernel exploits; Docker blocks it since moby#46762.",
  ioperm: "Changes I/O port permissions of the host hardware (CAP_SYS_RAWIO).",
  iopl: "Changes the I/O privilege level (CAP_SYS_RAWIO).",
  kcmp: "Compares kernel objects of other processes: process inspection (Docker: CAP_SYS_PTRACE only).",
  kexec_file_load: "Loads a new kernel to boot into (CAP_SYS_BOOT).",
  kexec_load: "Loads a new kernel to boot into (CAP_SYS_BOOT).",
  keyctl: "Kernel keyring is not namespaced (Docker blocks it).",
  lookup_dcookie: "Tracing/profiling call that can leak host information (CAP_SYS_ADMIN).",
  mbind: "NUMA memory-policy call Docker gates behind CAP_SYS_NICE.",
  migrate_pages: "Moves another process's pages between NUMA nodes; left out of Docker's default profile.",
  mount: "Mounts filesystems: the basis of most container escapes (CAP_SYS_ADMIN).",
  mount_setattr: "Changes mount properties such as read-only or idmapping (CAP_SYS_ADMIN in Docker).",
  move_mount: "New mount API: attaches a mount to the tree (CAP_SYS_ADMIN in Docker).",
  move_pages: "Moves another process's pages between NUMA nodes; left out of Docker's default profile.",
  name_to_handle_at: "Produces file handles, the first half of the open_by_handle_at (shocker) escape; harmless without it.",
  nfsservctl: "Obsolete kernel NFS daemon interface; blocked by Docker.",
  open_by_handle_at: "Opens any host file by handle: container escape via CAP_DAC_READ_SEARCH (shocker).",
  open_tree: "New mount API: clones a mount tree (CAP_SYS_ADMIN in Docker).",
  perf_event_open: "Tracing/profiling call that can leak host information (CAP_SYS_ADMIN/CAP_PERFMON in Docker).",
  personality: "Can enable poorly tested execution domains (Docker allows only a few fixed values).",
  pivot_root: "Changes the root mount; a privileged operation Docker blocks.",
  process_vm_readv: "Reads other processes' memory (CAP_SYS_PTRACE).",
  process_vm_writev: "Writes other processes' memory (CAP_SYS_PTRACE).",
  ptrace: "Reads and writes other processes' memory and registers; bypassed seccomp before Linux 4.8.",
  query_module: "Obsolete kernel-module call; blocked by Docker.",
  quotactl: "Could let a container change its own disk quotas (CAP_SYS_ADMIN).",
  reboot: "Reboots the host or loads kexec kernels (CAP_SYS_BOOT).",
  request_key: "Kernel keyring is not namespaced (Docker blocks it).",
  set_mempolicy: "NUMA memory-policy call Docker gates behind CAP_SYS_NICE.",
  setns: "Joins other namespaces (CAP_SYS_ADMIN).",
  settimeofday: "Sets the host clock, which is not namespaced (CAP_SYS_TIME).",
  stime: "Sets the host clock, which is not namespaced (CAP_SYS_TIME).",
  swapoff: "Stops swapping to a file or device (CAP_SYS_ADMIN).",
  swapon: "Starts swapping to a file or device (CAP_SYS_ADMIN).",
  sysfs: "Obsolete filesystem-type query; blocked by Docker.",
  syslog: "Reads or clears the kernel log buffer (Docker: CAP_SYSLOG/CAP_SYS_ADMIN only).",
  umount: "Unmounts filesystems (CAP_SYS_ADMIN).",
  umount2: "Unmounts filesystems, can expose masked paths (CAP_SYS_ADMIN).",
  unshare: "Creates new namespaces, user namespaces included, widening kernel attack surface (Docker: CAP_SYS_ADMIN only).",
  uselib: "Obsolete shared-library loader, unused for a long time; blocked by Docker.",
  userfaultfd: "Userspace page-fault handling, a common aid in kernel exploits; left out of Docker's default profile.",
  ustat: "Obsolete filesystem statistics call; blocked by Docker.",
  vm86: "In-kernel x86 real-mode virtual machine (CAP_SYS_ADMIN).",
  vm86old: "In-kernel x86 real-mode virtual machine (CAP_SYS_ADMIN).",
};

/**
 * Names on x86_64 that do not exist on aarch64 (58 per libseccomp's syscalls.csv), with the
 * syscall the C library uses there instead (null where nothing replaces it).
 *
 * Replacements follow glibc's Linux code for arches without the legacy call: the files in
 * bminor/glibc sysdeps/unix/sysv/linux/generic/ (chmod.c, chown.c, dup2.c, epoll_create.c,
 * futimesat.c, inotify_init.c, lchown.c, link.c, mkdir.c, pipe.c, readlink.c, rmdir.c,
 * symlink.c, unlink.c, utimes.c, xmknod.c, xstat.c, lxstat.c @ 04277e02d7f54d3582bebcf8386b317018cd5e1d
 * and neighbours, glibc <= 2.32; merged into sysdeps/unix/sysv/linux/*.c since), plus
 * sysdeps/unix/sysv/linux/pause.c, rename.c @ 04277e02d7f54d3582bebcf8386b317018cd5e1d and
 * dup2.c @ 2642002380aafb71a1d3b569b6d7ebeab3284816. The csv also lists renameat on aarch64
 * (38), so rename maps to renameat, as glibc's rename.c does.
 */
export const ARCH_TRANSLATIONS: Readonly<Record<string, { aarch64: string | null; note: string }>> = {
  _sysctl: { aarch64: null, note: "Removed from the kernel; read or write /proc/sys instead." },
  access: { aarch64: "faccessat", note: "access(path, mode) = faccessat(AT_FDCWD, path, mode)." },
  afs_syscall: { aarch64: null, note: "Never implemented (returns ENOSYS on x86_64 too)." },
  alarm: { aarch64: "setitimer", note: "glibc implements alarm with setitimer(ITIMER_REAL)." },
  arch_prctl: { aarch64: null, note: "x86-only (FS/GS base for TLS); aarch64 sets TLS through the TPIDR_EL0 register, no syscall." },
  chmod: { aarch64: "fchmodat", note: "chmod(path, mode) = fchmodat(AT_FDCWD, path, mode, 0)." },
  chown: { aarch64: "fchownat", note: "chown(path, u, g) = fchownat(AT_FDCWD, path, u, g, 0)." },
  creat: { aarch64: "openat", note: "creat = openat(AT_FDCWD, path, O_CREAT|O_WRONLY|O_TRUNC, mode)." },
  create_module: { aarch64: null, note: "Obsolete module call, removed in Linux 2.6." },
  dup2: { aarch64: "dup3", note: "glibc uses dup3(fd, fd2, 0); when fd == fd2 it calls fcntl(fd, F_GETFL) instead." },
  epoll_create: { aarch64: "epoll_create1", note: "epoll_create(size) = epoll_create1(0)." },
  epoll_ctl_old: { aarch64: null, note: "Never implemented on x86_64 either." },
  epoll_wait: { aarch64: "epoll_pwait", note: "epoll_wait = epoll_pwait with a NULL sigmask." },
  epoll_wait_old: { aarch64: null, note: "Never implemented on x86_64 either." },
  eventfd: { aarch64: "eventfd2", note: "eventfd(n) = eventfd2(n, 0)." },
  fork: { aarch64: "clone", note: "glibc forks with clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD) on every arch, x86_64 included." },
  futimesat: { aarch64: "utimensat", note: "Times are converted from timeval to timespec." },
  get_kernel_syms: { aarch64: null, note: "Obsolete module call, removed in Linux 2.6." },
  get_thread_area: { aarch64: null, note: "x86 TLS descriptor call; aarch64 reads TPIDR_EL0 directly." },
  getdents: { aarch64: "getdents64", note: "readdir uses getdents64." },
  getpgrp: { aarch64: "getpgid", note: "getpgrp() = getpgid(0)." },
  getpmsg: { aarch64: null, note: "STREAMS call, never implemented." },
  inotify_init: { aarch64: "inotify_init1", note: "inotify_init() = inotify_init1(0)." },
  ioperm: { aarch64: null, note: "x86 I/O-port permissions; no port I/O on aarch64." },
  iopl: { aarch64: null, note: "x86 I/O privilege level; no equivalent on aarch64." },
  lchown: { aarch64: "fchownat", note: "lchown = fchownat(AT_FDCWD, path, u, g, AT_SYMLINK_NOFOLLOW)." },
  link: { aarch64: "linkat", note: "link = linkat(AT_FDCWD, old, AT_FDCWD, new, 0)." },
  lstat: { aarch64: "newfstatat", note: "lstat = newfstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW)." },
  mkdir: { aarch64: "mkdirat", note: "mkdir = mkdirat(AT_FDCWD, path, mode)." },
  mknod: { aarch64: "mknodat", note: "mknod = mknodat(AT_FDCWD, path, mode, dev)." },
  modify_ldt: { aarch64: null, note: "x86 local descriptor table; no equivalent." },
  open: { aarch64: "openat", note: "open = openat(AT_FDCWD, path, flags, mode)." },
  pause: { aarch64: "ppoll", note: "glibc pause.c uses ppoll(NULL, 0, NULL, NULL) where __NR_pause is missing." },
  pipe: { aarch64: "pipe2", note: "pipe(fds) = pipe2(fds, 0)." },
  poll: { aarch64: "ppoll", note: "The timeout is converted to a timespec." },
  putpmsg: { aarch64: null, note: "STREAMS call, never implemented." },
  query_module: { aarch64: null, note: "Obsolete module call, removed in Linux 2.6." },
  readlink: { aarch64: "readlinkat", note: "readlink = readlinkat(AT_FDCWD, path, buf, size)." },
  rename: { aarch64: "renameat", note: "glibc rename.c uses renameat where __NR_rename is missing (renameat2 only where renameat is missing too)." },
  rmdir: { aarch64: "unlinkat", note: "rmdir = unlinkat(AT_FDCWD, path, AT_REMOVEDIR)." },
  security: { aarch64: null, note: "Reserved LSM slot, never implemented." },
  select: { aarch64: "pselect6", note: "The timeout is converted to a timespec; NULL sigmask." },
  set_thread_area: { aarch64: null, note: "x86 TLS descriptor call; aarch64 sets TPIDR_EL0 directly." },
  signalfd: { aarch64: "signalfd4", note: "signalfd = signalfd4(fd, mask, size, 0)." },
  stat: { aarch64: "newfstatat", note: "stat = newfstatat(AT_FDCWD, path, buf, 0)." },
  symlink: { aarch64: "symlinkat", note: "symlink = symlinkat(target, AT_FDCWD, path)." },
  sysfs: { aarch64: null, note: "Obsolete filesystem-type query; read /proc/filesystems instead." },
  time: { aarch64: "clock_gettime", note: "Without a time syscall or vDSO entry, current glibc implements time() with clock_gettime(CLOCK_REALTIME_COARSE), normally served by the vDSO (older glibc used gettimeofday)." },
  tuxcall: { aarch64: null, note: "Never implemented (TUX web server)." },
  unlink: { aarch64: "unlinkat", note: "unlink = unlinkat(AT_FDCWD, path, 0)." },
  uprobe: { aarch64: null, note: "x86_64-only entry used by kernel-installed uprobe trampolines; libc never calls it." },
  uretprobe: { aarch64: null, note: "x86_64-only entry used by kernel-installed uretprobe trampolines; libc never calls it." },
  uselib: { aarch64: null, note: "Obsolete a.out library loader." },
  ustat: { aarch64: null, note: "Obsolete; glibc keeps ustat only as a compat symbol (use statfs)." },
  utime: { aarch64: "utimensat", note: "utime = utimensat(AT_FDCWD, path, times, 0)." },
  utimes: { aarch64: "utimensat", note: "glibc generic utimes.c converts timeval to timespec and calls utimensat." },
  vfork: { aarch64: "clone", note: "clone(CLONE_VM|CLONE_VFORK|SIGCHLD)." },
  vserver: { aarch64: null, note: "Never implemented (Linux-VServer)." },
};

/**
 * Runtime baselines measured on this machine by `syscage baseline` (the calls the installed runtime
 * made after loading the filter), by baseline name and architecture. When given to `generate`,
 * a measured list replaces the built-in list of the same name above.
 */
export type MeasuredBaselines = Partial<Record<BaselineName, Partial<Record<string, readonly string[]>>>>;
