/**
 * The baselines: syscalls a profile needs although a workload trace never shows them, gathered from
 * the source of the tools involved (OCI runtimes, the Go runtime, glibc, the kernel's vDSO). Plain
 * data: no logic. (The other seccomp tables: enosys-probes.ts, high-risk-syscalls.ts,
 * arch-translations.ts.)
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

import type { BaselineName } from "./baseline-names.js";

export type { BaselineName } from "./baseline-names.js";

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
  syscalls: { "*"?: readonly string[] } & Partial<Record<"x86_64" | "i386" | "x32" | "aarch64" | "arm", readonly string[]>>;
}

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
      aarch64: ["fchown", "fcntl", "fstat", "fstatfs", "getuid", "mmap", "newfstatat", "pselect6", "setgid", "setgroups", "setresgid", "setresuid", "setuid"],
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
 * Runtime baselines measured on this machine by `syscage baseline` (the calls the installed runtime
 * made after loading the filter), by baseline name and architecture. When given to `generate`,
 * a measured list replaces the built-in list of the same name above.
 */
export type MeasuredBaselines = Partial<Record<BaselineName, Partial<Record<string, readonly string[]>>>>;
