/**
 * Equivalent syscalls: several kernel entry points for one operation, of which the C library or
 * the language runtime picks one by version, architecture or code path. A program that used one may
 * use the other on its next run (coreutils `sleep` calls clock_nanosleep where a shell's loop was
 * recorded calling nanosleep), so allowing the sibling of an observed call is allowing nothing new.
 *
 * Each group names the kernel (or libc) source that makes its calls the same operation. A group is
 * `same`: seeing any one grants all the others; `grantedBy` (optional): calls that can do strictly
 * more than the group (a flags argument the group lacks), so seeing one of them grants the group,
 * while seeing a group member never grants them. Names that do not exist on an architecture are
 * skipped there (aarch64 has no open, stat, pipe, poll, dup2, epoll_wait...: libseccomp's table,
 * via `isSyscall`).
 *
 * Never grouped, because their power differs (README "Equivalent syscalls"):
 * - openat2: its `how.resolve` flags (RESOLVE_*) change how a path is walked, and crun probes it
 *   for ENOSYS (enosys-probes.ts ENOSYS_PROBES); statx, faccessat2, fchmodat2, clone3 and
 *   close_range are probes too: granting one would change which path glibc takes.
 * - clone/clone3/fork/vfork: clone3's flags sit in a struct seccomp cannot inspect (namespaces),
 *   clone's are pinned by an argument filter.
 * - execve/execveat: execveat runs a file descriptor (fexecve, AT_EMPTY_PATH), a different thing
 *   for AppArmor and Falco to see.
 * - kill/tkill/tgkill/pidfd_send_signal/rt_sigqueueinfo: who may be signalled differs; signalling
 *   is a decision the trace must show (implied-syscalls.ts grants kill only for one's children).
 * - pipe2 -> pipe only, never pipe -> pipe2: pipe2(O_NOTIFICATION_PIPE) opens the watch_queue
 *   code (CVE-2022-0995). renameat2 -> rename/renameat only: RENAME_WHITEOUT and RENAME_EXCHANGE.
 *   open/openat -> creat only.
 *
 * Pure data.
 */

export interface EquivalentGroup {
  /** Short name of the operation (for the README and tests). */
  name: string;
  /** Entry points for the same operation: seeing one grants the others that exist on the arch. */
  same: readonly string[];
  /** Wider calls whose observation also grants `same` (never the other way). */
  grantedBy?: readonly string[];
  /** Why they are one operation. */
  why: string;
  /** Kernel or libc source that shows it (repository, path, function). */
  source: string;
}

const LINUX = "torvalds/linux (v6.12)";
const GLIBC = "bminor/glibc (2.40)";

export const EQUIVALENT_GROUPS: readonly EquivalentGroup[] = [
  {
    name: "sleep",
    same: ["nanosleep", "clock_nanosleep", "clock_nanosleep_time64"],
    why: "nanosleep(req) is clock_nanosleep(CLOCK_MONOTONIC, 0, req): both end in hrtimer_nanosleep; glibc's nanosleep() calls clock_nanosleep, musl and busybox call nanosleep.",
    source: `${LINUX} kernel/time/hrtimer.c SYSCALL_DEFINE2(nanosleep), kernel/time/posix-timers.c SYSCALL_DEFINE4(clock_nanosleep) -> common_nsleep -> hrtimer_nanosleep; ${GLIBC} sysdeps/unix/sysv/linux/nanosleep.c`,
  },
  {
    name: "open",
    same: ["open", "openat"],
    why: "open(path, ...) is openat(AT_FDCWD, path, ...): both call do_sys_open with the same flags; glibc's open() calls openat.",
    source: `${LINUX} fs/open.c SYSCALL_DEFINE3(open), SYSCALL_DEFINE4(openat) -> do_sys_open; ${GLIBC} sysdeps/unix/sysv/linux/open64.c`,
  },
  {
    name: "creat",
    same: ["creat"],
    grantedBy: ["open", "openat"],
    why: "creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode).",
    source: `${LINUX} fs/open.c SYSCALL_DEFINE2(creat) -> ksys_open -> do_sys_open`,
  },
  {
    name: "stat",
    same: ["stat", "lstat", "fstat", "newfstatat", "stat64", "lstat64", "fstat64", "fstatat64"],
    why: "stat, lstat, fstat and fstatat read the same inode attributes through vfs_fstatat/vfs_fstat (lstat = AT_SYMLINK_NOFOLLOW, fstat = AT_EMPTY_PATH); glibc >= 2.33 implements all four with fstatat. statx is left out: 32-bit glibc probes it for ENOSYS.",
    source: `${LINUX} fs/stat.c SYSCALL_DEFINE2(newstat), SYSCALL_DEFINE2(newlstat), SYSCALL_DEFINE2(newfstat), SYSCALL_DEFINE4(newfstatat) -> vfs_fstatat; ${GLIBC} sysdeps/unix/sysv/linux/fstatat64.c, stat64.c, lstat64.c, fstat64.c`,
  },
  {
    name: "access",
    same: ["access", "faccessat"],
    why: "access(path, mode) is faccessat(AT_FDCWD, path, mode): both call do_faccessat. faccessat2 is left out: glibc probes it for ENOSYS.",
    source: `${LINUX} fs/open.c SYSCALL_DEFINE2(access), SYSCALL_DEFINE3(faccessat) -> do_faccessat`,
  },
  {
    name: "readlink",
    same: ["readlink", "readlinkat"],
    why: "readlink(path, ...) is readlinkat(AT_FDCWD, path, ...): both call do_readlinkat.",
    source: `${LINUX} fs/stat.c SYSCALL_DEFINE3(readlink), SYSCALL_DEFINE4(readlinkat) -> do_readlinkat`,
  },
  {
    name: "mkdir",
    same: ["mkdir", "mkdirat"],
    why: "mkdir(path, mode) is mkdirat(AT_FDCWD, path, mode): both call do_mkdirat.",
    source: `${LINUX} fs/namei.c SYSCALL_DEFINE2(mkdir), SYSCALL_DEFINE3(mkdirat) -> do_mkdirat`,
  },
  {
    name: "rename",
    same: ["rename", "renameat"],
    grantedBy: ["renameat2"],
    why: "rename and renameat are renameat2 with flags 0 (do_renameat2); renameat2's RENAME_EXCHANGE/RENAME_WHITEOUT are more, so it is granted only when seen.",
    source: `${LINUX} fs/namei.c SYSCALL_DEFINE2(rename), SYSCALL_DEFINE4(renameat), SYSCALL_DEFINE5(renameat2) -> do_renameat2`,
  },
  {
    name: "dup2",
    same: ["dup2", "dup3"],
    why: "dup2(old, new) is dup3(old, new, 0) except for old == new; dup3's only flag is O_CLOEXEC. glibc's dup2 calls dup3 where dup2 does not exist.",
    source: `${LINUX} fs/file.c SYSCALL_DEFINE2(dup2), SYSCALL_DEFINE3(dup3) -> ksys_dup3; ${GLIBC} sysdeps/unix/sysv/linux/dup2.c`,
  },
  {
    name: "pipe",
    same: ["pipe"],
    grantedBy: ["pipe2"],
    why: "pipe(fds) is pipe2(fds, 0) (do_pipe2). Not the other way: pipe2(O_NOTIFICATION_PIPE) reaches the watch_queue code (CVE-2022-0995).",
    source: `${LINUX} fs/pipe.c SYSCALL_DEFINE1(pipe), SYSCALL_DEFINE2(pipe2) -> do_pipe2`,
  },
  {
    name: "poll",
    same: ["poll", "ppoll", "ppoll_time64"],
    why: "poll and ppoll both call do_sys_poll; ppoll only sets the caller's own signal mask for the wait. glibc's poll() calls ppoll where poll does not exist.",
    source: `${LINUX} fs/select.c SYSCALL_DEFINE3(poll), SYSCALL_DEFINE5(ppoll) -> do_sys_poll; ${GLIBC} sysdeps/unix/sysv/linux/poll.c`,
  },
  {
    name: "select",
    same: ["select", "_newselect", "pselect6", "pselect6_time64"],
    why: "select and pselect6 both call core_sys_select; pselect6 only sets the caller's own signal mask for the wait. glibc's select() calls pselect6 where select does not exist.",
    source: `${LINUX} fs/select.c SYSCALL_DEFINE5(select), SYSCALL_DEFINE6(pselect6) -> core_sys_select; ${GLIBC} sysdeps/unix/sysv/linux/select.c`,
  },
  {
    name: "epoll_wait",
    same: ["epoll_wait", "epoll_pwait", "epoll_pwait2"],
    why: "epoll_wait, epoll_pwait and epoll_pwait2 all call do_epoll_wait; the p-forms only set the caller's own signal mask (pwait2 takes a timespec). glibc uses epoll_wait, musl epoll_pwait.",
    source: `${LINUX} fs/eventpoll.c SYSCALL_DEFINE4(epoll_wait), SYSCALL_DEFINE6(epoll_pwait), SYSCALL_DEFINE6(epoll_pwait2) -> do_epoll_wait`,
  },
  {
    name: "epoll_create",
    same: ["epoll_create", "epoll_create1"],
    why: "epoll_create(size) is epoll_create1(0) (do_epoll_create); the only flag is EPOLL_CLOEXEC.",
    source: `${LINUX} fs/eventpoll.c SYSCALL_DEFINE1(epoll_create), SYSCALL_DEFINE1(epoll_create1) -> do_epoll_create`,
  },
  {
    name: "eventfd",
    same: ["eventfd", "eventfd2"],
    why: "eventfd(n) is eventfd2(n, 0) (do_eventfd); flags are CLOEXEC, NONBLOCK, SEMAPHORE on the new fd only.",
    source: `${LINUX} fs/eventfd.c SYSCALL_DEFINE1(eventfd), SYSCALL_DEFINE2(eventfd2) -> do_eventfd`,
  },
  {
    name: "inotify_init",
    same: ["inotify_init", "inotify_init1"],
    why: "inotify_init() is inotify_init1(0) (do_inotify_init); flags are CLOEXEC and NONBLOCK on the new fd only.",
    source: `${LINUX} fs/notify/inotify/inotify_user.c SYSCALL_DEFINE0(inotify_init), SYSCALL_DEFINE1(inotify_init1) -> do_inotify_init`,
  },
  {
    name: "accept",
    same: ["accept", "accept4"],
    why: "accept is accept4 with flags 0 (__sys_accept4); the flags are CLOEXEC and NONBLOCK on the new fd only.",
    source: `${LINUX} net/socket.c SYSCALL_DEFINE3(accept), SYSCALL_DEFINE4(accept4) -> __sys_accept4`,
  },
  {
    name: "wait",
    same: ["wait4", "waitid", "waitpid"],
    why: "wait4, waitid and waitpid all wait for the caller's own children through do_wait (kernel_wait4, kernel_waitid); a pidfd for waitid(P_PIDFD) names a child too, else ECHILD.",
    source: `${LINUX} kernel/exit.c SYSCALL_DEFINE4(wait4), SYSCALL_DEFINE5(waitid), SYSCALL_DEFINE3(waitpid) -> do_wait`,
  },
  {
    name: "getdents",
    same: ["getdents", "getdents64"],
    why: "getdents and getdents64 both read a directory through iterate_dir; only the record layout differs.",
    source: `${LINUX} fs/readdir.c SYSCALL_DEFINE3(getdents), SYSCALL_DEFINE3(getdents64) -> iterate_dir`,
  },
  {
    name: "signalfd",
    same: ["signalfd", "signalfd4"],
    why: "signalfd is signalfd4 with flags 0 (do_signalfd4); the flags are CLOEXEC and NONBLOCK on the new fd only.",
    source: `${LINUX} fs/signalfd.c SYSCALL_DEFINE3(signalfd), SYSCALL_DEFINE4(signalfd4) -> do_signalfd4`,
  },
];
