// Every syscall name below was checked against libseccomp's syscalls.csv (seccomp/libseccomp
// @ 90d3f7d, `src/syscalls.csv`, copy in data/libseccomp-syscalls.csv). Notation in `source`:
// repository, path, commit (or URL); several sources are separated by "; ".

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
    source: "bminor/glibc sysdeps/unix/sysv/linux/clock_gettime.c @ 03343699496edd866141a8bbdfeb19ae98537394; https://github.com/seccomp/libseccomp/issues/228",
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
    source: "https://github.com/docker/docker-ce-packaging/pull/1013; https://github.com/moby/moby/issues/42871",
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
