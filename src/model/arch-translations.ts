// Every syscall name below was checked against libseccomp's syscalls.csv (seccomp/libseccomp
// @ 90d3f7d, `src/syscalls.csv`, copy in data/libseccomp-syscalls.csv). Notation in `source`:
// repository, path, commit (or URL); several sources are separated by "; ".

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
  time: {
    aarch64: "clock_gettime",
    note: "Without a time syscall or vDSO entry, current glibc implements time() with clock_gettime(CLOCK_REALTIME_COARSE), normally served by the vDSO (older glibc used gettimeofday).",
  },
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
