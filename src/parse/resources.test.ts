// ResourceCollector over real strace lines. Every trace excerpt below was recorded with strace 6.1
// on x86_64 (Debian 12, python3 3.11, dash 0.5.12) and is quoted verbatim, only cut down to the
// lines that matter (the pids and line order are the recording's). Where a test needed a line that
// cannot occur as is, the change is said next to it.
//
// Recordings (run as root in /tmp/rec/w holding `foo` and `sub/`):
//   files:   strace -f [-y | -X raw | -X verbose] -s 256 /usr/bin/python3 files.py   (chdir, open
//            flags, dirfd, rename/unlink/link/symlink, chown, fork, a thread that chdirs)
//   sh:      strace -f -s 256 /bin/sh sh.sh  with  cd /tmp/rec/w && cat ./foo > out.txt &&
//            echo more >> out.txt && ls -d sub >/dev/null
//   net:     strace -f [-X raw] -s 256 /usr/bin/python3 net.py   (tcp/udp/unix servers and clients,
//            bind to port 80, raw/packet/netlink sockets, mknod, setgroups/setgid/setuid, chroot)
//   weird:   strace -f -y -s 256 /usr/bin/python3 weird.py   (files named with quotes, spaces, `*`,
//            `{`, `@{HOME}`, a newline, a tab, Latin-1 bytes)

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import type { FileAccess, RunResources } from "../model/resources.js";
import { SAMPLES } from "../test/support/paths.js";
import { ResourceCollector } from "./resources.js";
import { TraceParser } from "./trace-parser.js";

/**
 * The resources of trace text, tracked as `generate` tracks one -f file: event by event while the
 * parser reads, told the stream's order (`followStream`). `stream: false` feeds the events after
 * the parse, with no order known (as for -ff files): a process no clone announced always waits.
 */
function collect(lines: string, file = "test.trace", options: { stream?: boolean } = {}): { r: RunResources; problems: { line: number; message: string }[] } {
  const c = new ResourceCollector({ file });
  const parser = new TraceParser({ id: file, files: [file] }, { arch: "x86_64", onSyscall: (e) => c.observe(e) });
  if (options.stream ?? true) c.followStream(() => parser.unannouncedStartsNow());
  parser.beginFile(file);
  for (const [i, l] of lines.split("\n").entries()) parser.line(l, i + 1, true);
  parser.finish();
  return { r: c.result(), problems: c.problems() };
}

/** Access of one path, or undefined when the path is not in `files`. */
function accessOf(r: RunResources, path: string): FileAccess[] | undefined {
  return r.files.find((f) => f.path === path)?.access;
}

function isDir(r: RunResources, path: string): boolean | undefined {
  return r.files.find((f) => f.path === path)?.dir;
}

/** Trims the indentation of a template literal holding trace lines. */
function trace(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("\n");
}

describe("ResourceCollector: paths", () => {
  it("resolves relative paths against the cwd a chdir set, also in a vfork child seen before the vfork returned", () => {
    const { r } = collect(
      trace(String.raw`
        5533  execve("/bin/sh", ["/bin/sh", "/tmp/rec/sh.sh"], 0x7ffffda03e30 /* 35 vars */) = 0
        5533  newfstatat(AT_FDCWD, ".", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0
        5533  openat(AT_FDCWD, "/tmp/rec/sh.sh", O_RDONLY) = 3
        5533  fcntl(3, F_DUPFD, 10)             = 11
        5533  close(3)                          = 0
        5533  fcntl(11, F_SETFD, FD_CLOEXEC)    = 0
        5533  chdir("/tmp/rec/w")               = 0
        5533  openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3
        5533  fcntl(1, F_DUPFD, 10)             = 12
        5533  close(1)                          = 0
        5533  fcntl(12, F_SETFD, FD_CLOEXEC)    = 0
        5533  dup2(3, 1)                        = 1
        5533  close(3)                          = 0
        5533  newfstatat(AT_FDCWD, "/usr/bin/cat", {st_mode=S_IFREG|0755, st_size=44016, ...}, 0) = 0
        5533  vfork( <unfinished ...>
        5534  rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0
        5534  execve("/usr/bin/cat", ["cat", "./foo"], 0x55d8e79c8be8 /* 35 vars */ <unfinished ...>
        5533  <... vfork resumed>)              = 5534
        5534  <... execve resumed>)             = 0
        5534  newfstatat(1, "", {st_mode=S_IFREG|0644, st_size=0, ...}, AT_EMPTY_PATH) = 0
        5534  openat(AT_FDCWD, "./foo", O_RDONLY) = 3
        5534  close(3)                          = 0
        5533  dup2(12, 1)                       = 1
        5533  close(12)                         = 0
        5533  openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_APPEND, 0666) = 3
        5533  vfork( <unfinished ...>
        5535  rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0
        5535  execve("/usr/bin/ls", ["ls", "-d", "sub"], 0x55d8e79c8c20 /* 35 vars */ <unfinished ...>
        5533  <... vfork resumed>)              = 5535
        5535  <... execve resumed>)             = 0
        5535  statx(AT_FDCWD, "sub", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, STATX_MODE, {stx_mask=STATX_TYPE|STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_ATIME|STATX_INO|STATX_SIZE|STATX_BLOCKS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0
      `),
    );
    assert.deepEqual(accessOf(r, "/tmp/rec/w/foo"), ["read"]);
    // `>` then `>>`: both facts kept, the AppArmor emitter decides between `w` and `a`.
    assert.deepEqual(accessOf(r, "/tmp/rec/w/out.txt"), ["write", "append", "create"]);
    assert.deepEqual(accessOf(r, "/tmp/rec/w/sub"), ["stat"]);
    assert.equal(isDir(r, "/tmp/rec/w/sub"), true, "statx showed S_IFDIR");
    assert.equal(isDir(r, "/tmp/rec/w"), true, "chdir target");
    assert.deepEqual(r.execs, [{ path: "/bin/sh" }, { path: "/usr/bin/cat", parent: "/bin/sh" }, { path: "/usr/bin/ls", parent: "/bin/sh" }]);
    // dash stats "." before its first chdir: the initial cwd is unknown, so the path is reported, not dropped.
    assert.deepEqual(r.unresolved, [{ syscall: "newfstatat", path: ".", line: 2 }]);
  });

  it("applies what a vfork child did before the vfork returned (subprocess cwd=: chdir in the child)", () => {
    // strace -f /usr/bin/python3 -c 'import os, subprocess; os.chdir("/tmp/rec");
    //   subprocess.run(["/usr/bin/cat", "foo"], cwd="/tmp/rec/w", stdout=subprocess.DEVNULL)'
    const { r } = collect(
      trace(String.raw`
        13086 getcwd("/tmp/rec", 1024)          = 9
        13086 chdir("/tmp/rec")                 = 0
        13086 openat(AT_FDCWD, "/dev/null", O_RDWR|O_CLOEXEC) = 3
        13086 pipe2([4, 5], O_CLOEXEC)          = 0
        13086 rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], [], 8) = 0
        13086 vfork( <unfinished ...>
        13089 close(4)                          = 0
        13089 dup2(3, 1)                        = 1
        13089 chdir("/tmp/rec/w")               = 0
        13089 rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0
        13089 close_range(3, 4, 0)              = 0
        13089 close_range(6, 2147483647, 0)     = 0
        13089 execve("/usr/bin/cat", ["/usr/bin/cat", "foo"], 0x7ffc27a33f18 /* 35 vars */ <unfinished ...>
        13086 <... vfork resumed>)              = 13089
        13086 rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0
        13086 close(5)                          = 0
        13086 close(3 <unfinished ...>
        13089 <... execve resumed>)             = 0
        13086 <... close resumed>)              = 0
        13089 openat(AT_FDCWD, "foo", O_RDONLY) = 3
      `),
    );
    assert.deepEqual(accessOf(r, "/tmp/rec/w/foo"), ["read"]);
    assert.equal(accessOf(r, "/tmp/rec/foo"), undefined);
    assert.deepEqual(r.execs, [{ path: "/usr/bin/cat" }]);
  });

  const getcwdLines = [
    String.raw`12250 execve("/usr/bin/python3", ["/usr/bin/python3", "-c", "import os; os.getcwd(); open(\"fo"...], 0x7ffd7893f528 /* 0 vars */) = 0`,
    String.raw`12250 getcwd("/tmp/rec/w", 1024)        = 11`,
    String.raw`12250 openat(AT_FDCWD, "foo", O_RDONLY|O_CLOEXEC) = 3`,
  ];
  const cwdCases: { name: string; lines: string[]; file?: string; unresolved?: { syscall: string; path: string; line: number }[] }[] = [
    { name: "a getcwd result reveals the initial cwd", lines: getcwdLines, file: "/tmp/rec/w/foo" },
    {
      name: "without it a relative path stays unresolved",
      lines: [getcwdLines[0]!, getcwdLines[2]!],
      unresolved: [{ syscall: "openat", path: "foo", line: 2 }],
    },
    {
      // strace -f -y -X raw /usr/bin/cat foo
      name: "-y shows the cwd on AT_FDCWD",
      lines: [String.raw`7519  openat(-100</tmp/rec/w>, "foo", 0) = 3</tmp/rec/w/foo>`],
      file: "/tmp/rec/w/foo",
    },
    {
      // The line above with its dirfd decoration removed (strace before 6.x printed none on
      // AT_FDCWD): the `= 3</tmp/rec/w/foo>` still says where the open went.
      name: "-y on the result alone still gives the resolved path",
      lines: [String.raw`7519  openat(-100, "foo", 0) = 3</tmp/rec/w/foo>`],
      file: "/tmp/rec/w/foo",
    },
  ];
  for (const c of cwdCases) {
    it(`cwd: ${c.name}`, () => {
      const { r } = collect(c.lines.join("\n"));
      if (c.file !== undefined) assert.deepEqual(accessOf(r, c.file), ["read"]);
      assert.deepEqual(r.unresolved, c.unresolved ?? []);
    });
  }

  it("resolves a path under the parent (split by the parser from a `AT_FDCWD</a,b(c>` decoration)", () => {
    const { r } = collect(String.raw`5602  openat(AT_FDCWD</tmp/rec/a,b(c>, "f", O_RDONLY) = 3</tmp/rec/a,b(c/f>`);
    assert.deepEqual(
      r.files.map((f) => f.path),
      ["/tmp/rec/a,b(c/f"],
    );
  });

  // The same program traced with symbolic flags, -X raw and -X verbose: same facts.
  const fileRuns: Record<string, string> = {
    symbolic: String.raw`
      5242  chdir("/tmp/rec/w")               = 0
      5242  openat(AT_FDCWD, "/tmp/rec/w/sub", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3
      5242  openat(AT_FDCWD, "rel.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 4
      5242  close(4)                          = 0
      5242  openat(AT_FDCWD, "log.txt", O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644) = 4
      5242  close(4)                          = 0
      5242  openat(AT_FDCWD, "db", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 4
      5242  flock(4, LOCK_EX)                 = 0
      5242  ftruncate(4, 0)                   = 0
      5242  close(4)                          = 0
      5242  openat(3, "in-sub", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 4
      5242  close(4)                          = 0
      5242  newfstatat(AT_FDCWD, "../w/./foo", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0
      5242  rename("rel.txt", "renamed.txt")  = 0
      5242  unlink("renamed.txt")             = 0
      5242  mkdir("newdir", 0777)             = 0
      5242  rmdir("newdir")                   = 0
      5242  link("foo", "foo.link")           = 0
      5242  unlink("foo.link")                = 0
      5242  symlink("foo", "foo.sym")         = 0
      5242  readlink("foo.sym", "foo", 4096)  = 3
      5242  unlink("foo.sym")                 = 0
      5242  chown("foo", 0, 0)                = 0
      5242  chown("foo", -1, -1)              = 0
      5242  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fe9e190e310) = 5244
      5244  openat(3, "child.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 4
      5244  close(4)                          = 0
      5244  exit_group(0)                     = ?
      5242  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7fe9e164f990, parent_tid=0x7fe9e164f990, exit_signal=0, stack=0x7fe9e0e4f000, stack_size=0x7fff80, tls=0x7fe9e164f6c0} => {parent_tid=[5246]}, 88) = 5246
      5246  chdir("/tmp/rec/w/sub" <unfinished ...>
      5246  <... chdir resumed>)              = 0
      5242  openat(AT_FDCWD, "after-thread.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0644 <unfinished ...>
      5246  exit(0)                           = ?
      5242  <... openat resumed>)             = 4
      5242  close(4)                          = 0
      5242  getcwd("/tmp/rec/w/sub", 1024)    = 15
    `,
    "-X raw": String.raw`
      5270  chdir("/tmp/rec/w")               = 0
      5270  openat(-100, "/tmp/rec/w/sub", 0x90000) = 3
      5270  openat(-100, "rel.txt", 0x80241, 0644) = 4
      5270  close(4)                          = 0
      5270  openat(-100, "log.txt", 0x80441, 0644) = 4
      5270  close(4)                          = 0
      5270  openat(-100, "db", 0x80042, 0644) = 4
      5270  flock(4, 0x2)                     = 0
      5270  ftruncate(4, 0)                   = 0
      5270  close(4)                          = 0
      5270  openat(3, "in-sub", 0x80041, 0644) = 4
      5270  close(4)                          = 0
      5270  newfstatat(-100, "../w/./foo", {st_mode=0100644, st_size=3, ...}, 0) = 0
      5270  rename("rel.txt", "renamed.txt")  = 0
      5270  unlink("renamed.txt")             = 0
      5270  mkdir("newdir", 0777)             = 0
      5270  rmdir("newdir")                   = 0
      5270  link("foo", "foo.link")           = 0
      5270  unlink("foo.link")                = 0
      5270  symlink("foo", "foo.sym")         = 0
      5270  readlink("foo.sym", "foo", 4096)  = 3
      5270  unlink("foo.sym")                 = 0
      5270  chown("foo", 0, 0)                = 0
      5270  chown("foo", -1, -1)              = 0
      5270  clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f371961b310) = 5271
      5271  openat(3, "child.txt", 0x80041, 0644) = 4
      5271  close(4)                          = 0
      5271  exit_group(0)                     = ?
      5270  clone3({flags=0x3d0f00, child_tid=0x7f371935c990, parent_tid=0x7f371935c990, exit_signal=0, stack=0x7f3718b5c000, stack_size=0x7fff80, tls=0x7f371935c6c0} => {parent_tid=[5272]}, 88) = 5272
      5272  chdir("/tmp/rec/w/sub")           = 0
      5270  openat(-100, "after-thread.txt", 0x80041, 0644 <unfinished ...>
      5270  <... openat resumed>)             = 4
      5272  exit(0)                           = ?
      5270  close(4)                          = 0
      5270  getcwd("/tmp/rec/w/sub", 1024)    = 15
    `,
    "-X verbose": String.raw`
      5280  chdir("/tmp/rec/w")               = 0
      5280  openat(-100 /* AT_FDCWD */, "/tmp/rec/w/sub", 0x90000 /* O_RDONLY|O_CLOEXEC|O_DIRECTORY */) = 3
      5280  openat(-100 /* AT_FDCWD */, "rel.txt", 0x80241 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */, 0644) = 4
      5280  close(4)                          = 0
      5280  openat(-100 /* AT_FDCWD */, "log.txt", 0x80441 /* O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC */, 0644) = 4
      5280  close(4)                          = 0
      5280  openat(-100 /* AT_FDCWD */, "db", 0x80042 /* O_RDWR|O_CREAT|O_CLOEXEC */, 0644) = 4
      5280  flock(4, 0x2 /* LOCK_EX */)       = 0
      5280  ftruncate(4, 0)                   = 0
      5280  close(4)                          = 0
      5280  openat(3, "in-sub", 0x80041 /* O_WRONLY|O_CREAT|O_CLOEXEC */, 0644) = 4
      5280  close(4)                          = 0
      5280  newfstatat(-100 /* AT_FDCWD */, "../w/./foo", {st_mode=0100644 /* S_IFREG|0644 */, st_size=3, ...}, 0) = 0
      5280  rename("rel.txt", "renamed.txt")  = 0
      5280  unlink("renamed.txt")             = 0
      5280  mkdir("newdir", 0777)             = 0
      5280  rmdir("newdir")                   = 0
      5280  link("foo", "foo.link")           = 0
      5280  unlink("foo.link")                = 0
      5280  symlink("foo", "foo.sym")         = 0
      5280  readlink("foo.sym", "foo", 4096)  = 3
      5280  unlink("foo.sym")                 = 0
      5280  chown("foo", 0, 0)                = 0
      5280  chown("foo", -1, -1)              = 0
      5280  clone(child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, child_tidptr=0x7fa17e31b310) = 5291
      5291  openat(3, "child.txt", 0x80041 /* O_WRONLY|O_CREAT|O_CLOEXEC */, 0644) = 4
      5291  close(4)                          = 0
      5291  exit_group(0)                     = ?
      5280  clone3({flags=0x3d0f00 /* CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID */, child_tid=0x7fa17e05c990, parent_tid=0x7fa17e05c990, exit_signal=0, stack=0x7fa17d85c000, stack_size=0x7fff80, tls=0x7fa17e05c6c0} => {parent_tid=[5292]}, 88) = 5292
      5292  chdir("/tmp/rec/w/sub")           = 0
      5280  openat(-100 /* AT_FDCWD */, "after-thread.txt", 0x80041 /* O_WRONLY|O_CREAT|O_CLOEXEC */, 0644 <unfinished ...>
      5292  exit(0)                           = ?
      5280  <... openat resumed>)             = 4
      5280  close(4)                          = 0
      5280  getcwd("/tmp/rec/w/sub", 1024)    = 15
    `,
    "-y": String.raw`
      5254  chdir("/tmp/rec/w")               = 0
      5254  openat(AT_FDCWD</tmp/rec/w>, "/tmp/rec/w/sub", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3</tmp/rec/w/sub>
      5254  openat(AT_FDCWD</tmp/rec/w>, "rel.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 4</tmp/rec/w/rel.txt>
      5254  close(4</tmp/rec/w/rel.txt>)      = 0
      5254  openat(AT_FDCWD</tmp/rec/w>, "log.txt", O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644) = 4</tmp/rec/w/log.txt>
      5254  close(4</tmp/rec/w/log.txt>)      = 0
      5254  openat(AT_FDCWD</tmp/rec/w>, "db", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 4</tmp/rec/w/db>
      5254  flock(4</tmp/rec/w/db>, LOCK_EX)  = 0
      5254  ftruncate(4</tmp/rec/w/db>, 0)    = 0
      5254  close(4</tmp/rec/w/db>)           = 0
      5254  openat(3</tmp/rec/w/sub>, "in-sub", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 4</tmp/rec/w/sub/in-sub>
      5254  close(4</tmp/rec/w/sub/in-sub>)   = 0
      5254  newfstatat(AT_FDCWD</tmp/rec/w>, "../w/./foo", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0
      5254  rename("rel.txt", "renamed.txt")  = 0
      5254  unlink("renamed.txt")             = 0
      5254  mkdir("newdir", 0777)             = 0
      5254  rmdir("newdir")                   = 0
      5254  link("foo", "foo.link")           = 0
      5254  unlink("foo.link")                = 0
      5254  symlink("foo", "foo.sym")         = 0
      5254  readlink("foo.sym", "foo", 4096)  = 3
      5254  unlink("foo.sym")                 = 0
      5254  chown("foo", 0, 0)                = 0
      5254  chown("foo", -1, -1)              = 0
      5254  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f26f3971310) = 5260
      5260  openat(3</tmp/rec/w/sub>, "child.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 4</tmp/rec/w/sub/child.txt>
      5260  close(4</tmp/rec/w/sub/child.txt>) = 0
      5260  exit_group(0)                     = ?
      5254  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f26f36b2990, parent_tid=0x7f26f36b2990, exit_signal=0, stack=0x7f26f2eb2000, stack_size=0x7fff80, tls=0x7f26f36b26c0} <unfinished ...>
      5254  <... clone3 resumed> => {parent_tid=[5261]}, 88) = 5261
      5261  chdir("/tmp/rec/w/sub" <unfinished ...>
      5261  <... chdir resumed>)              = 0
      5254  openat(AT_FDCWD</tmp/rec/w/sub>, "after-thread.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0644 <unfinished ...>
      5254  <... openat resumed>)             = 4</tmp/rec/w/sub/after-thread.txt>
      5261  exit(0)                           = ?
      5254  close(4</tmp/rec/w/sub/after-thread.txt>) = 0
      5254  getcwd("/tmp/rec/w/sub", 1024)    = 15
    `,
  };

  const expectedFiles: Record<string, FileAccess[]> = {
    "/tmp/rec/w": ["stat"],
    "/tmp/rec/w/db": ["read", "write", "create", "lock"],
    "/tmp/rec/w/foo": ["write", "stat"],
    "/tmp/rec/w/foo.link": ["create", "delete", "link"],
    "/tmp/rec/w/foo.sym": ["create", "delete", "stat"],
    "/tmp/rec/w/log.txt": ["append", "create"],
    "/tmp/rec/w/newdir": ["create", "delete"],
    "/tmp/rec/w/rel.txt": ["read", "write", "create", "delete"],
    "/tmp/rec/w/renamed.txt": ["create", "delete"],
    "/tmp/rec/w/sub": ["read", "stat"],
    "/tmp/rec/w/sub/after-thread.txt": ["write", "create"],
    "/tmp/rec/w/sub/child.txt": ["write", "create"],
    "/tmp/rec/w/sub/in-sub": ["write", "create"],
  };

  for (const [style, text] of Object.entries(fileRuns)) {
    it(`files.py traced with ${style}: flags, dirfd, fork, thread cwd, rename/unlink/link, chown`, () => {
      const { r, problems } = collect(trace(text));
      const got = Object.fromEntries(r.files.map((f) => [f.path, f.access]));
      assert.deepEqual(got, expectedFiles);
      // O_DIRECTORY and mkdir/rmdir mark directories; files do not.
      assert.deepEqual(
        r.files.filter((f) => f.dir).map((f) => f.path),
        ["/tmp/rec/w", "/tmp/rec/w/newdir", "/tmp/rec/w/sub"],
      );
      // chown("foo", 0, 0) needs CAP_CHOWN; chown("foo", -1, -1) alone would not.
      assert.deepEqual(
        r.capabilities.map((c) => c.name),
        ["chown"],
      );
      assert.match(r.capabilities[0]!.evidence, /^chown\("foo", 0, 0\) at test\.trace:23$/);
      assert.deepEqual(r.unresolved, []);
      assert.deepEqual(problems, []);
    });
  }

  it("chown to -1/-1 needs no capability", () => {
    const { r } = collect(String.raw`5242  chown("/tmp/rec/w/foo", -1, -1)              = 0`);
    assert.deepEqual(r.capabilities, []);
    assert.deepEqual(accessOf(r, "/tmp/rec/w/foo"), ["write"]);
  });

  it("follows an fd into a forked child (openat on an inherited dirfd)", () => {
    const { r } = collect(
      trace(String.raw`
        5242  openat(AT_FDCWD, "/tmp/rec/w/sub", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3
        5242  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fe9e190e310) = 5244
        5242  close(3)                          = 0
        5244  openat(3, "child.txt", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 4
      `),
    );
    // (the parent's close(3) is moved before the child's openat to show the child has its own copy)
    assert.deepEqual(accessOf(r, "/tmp/rec/w/sub/child.txt"), ["write", "create"]);
  });

  it("a forked child (no CLONE_FS) does not share the parent's later chdir", () => {
    const { r } = collect(
      trace(String.raw`
        5242  chdir("/tmp/rec/w")               = 0
        5242  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fe9e190e310) = 5244
        5242  chdir("/tmp/rec/w/sub")           = 0
        5244  openat(AT_FDCWD, "log.txt", O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644) = 4
      `),
    );
    // (lines from the files.py recording, re-ordered: a thread's chdir was made the parent's)
    assert.deepEqual(accessOf(r, "/tmp/rec/w/log.txt"), ["append", "create"]);
    assert.equal(accessOf(r, "/tmp/rec/w/sub/log.txt"), undefined);
  });

  it("-y: records the resolved path beside the requested one, and maps what mmap(PROT_EXEC) mapped", () => {
    const { r } = collect(
      trace(String.raw`
        5254  openat(AT_FDCWD</tmp/rec>, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libc.so.6>
        5254  newfstatat(3</usr/lib/x86_64-linux-gnu/libc.so.6>, "", {st_mode=S_IFREG|0755, st_size=1926232, ...}, AT_EMPTY_PATH) = 0
        5254  mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0) = 0x7f26f3972000
        5254  mmap(0x7f26f3998000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0x26000) = 0x7f26f3998000
        5254  close(3</usr/lib/x86_64-linux-gnu/libc.so.6>) = 0
      `),
    );
    assert.deepEqual(accessOf(r, "/lib/x86_64-linux-gnu/libc.so.6"), ["read", "map"]);
    assert.deepEqual(accessOf(r, "/usr/lib/x86_64-linux-gnu/libc.so.6"), ["read", "map"]);
  });

  const mmapCases: { name: string; lines: string }[] = [
    {
      // strace -T: `<0.000017>` after the value is a duration, not a -y path.
      name: "-T",
      lines: String.raw`
        openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3 <0.000017>
        mmap(0x7ff9b2104000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7ff9b2104000 <0.000020>
      `,
    },
    {
      name: "-X verbose",
      lines: String.raw`
        5551  openat(-100 /* AT_FDCWD */, "/lib/x86_64-linux-gnu/libc.so.6", 0x80000 /* O_RDONLY|O_CLOEXEC */) = 3
        5551  mmap(0x7f9da2183000, 1400832, 0x5 /* PROT_READ|PROT_EXEC */, 0x812 /* MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE */, 3, 0x26000) = 0x7f9da2183000
      `,
    },
  ];
  for (const c of mmapCases) {
    it(`mmap(PROT_EXEC) of an fd gives map (${c.name})`, () => {
      const { r } = collect(trace(c.lines));
      assert.deepEqual(r.files, [{ path: "/lib/x86_64-linux-gnu/libc.so.6", access: ["read", "map"], dir: false }]);
    });
  }
});

// A process seen before the clone that made it returned waits for that clone (its cwd and fds are
// its parent's); one that no clone can announce any more (a second recording in the file, a process
// attached with -p) starts at once, so its calls are handled in trace order (see followStream).
describe("ResourceCollector: processes no clone announced yet", () => {
  // The sh recording's lines as strace -z (staged output: a line is printed when its call ends)
  // could order them: the child's open before the vfork line that announces it. No `<... resumed>`
  // line shows that strace printed calls as they began, so the child must wait for its vfork.
  const staged = trace(String.raw`
    5533  execve("/bin/sh", ["/bin/sh", "/tmp/rec/sh.sh"], 0x7ffffda03e30 /* 35 vars */) = 0
    5533  chdir("/tmp/rec/w")               = 0
    5534  execve("/usr/bin/cat", ["cat", "./foo"], 0x55d8e79c8be8 /* 35 vars */) = 0
    5534  openat(AT_FDCWD, "./foo", O_RDONLY) = 3
    5533  vfork()                           = 5534
  `);

  it("a child printed before its clone line in staged output (-z) still gets its parent's cwd", () => {
    const { r } = collect(staged);
    assert.deepEqual(accessOf(r, "/tmp/rec/w/foo"), ["read"]);
    assert.deepEqual(r.unresolved, []);
  });

  it("a child whose vfork is in progress waits for it, also once resumed lines were seen", () => {
    // The sh recording's lines, with a wait4 pair made for the test so that a resumed line comes
    // first, and the child opening a relative path before the vfork returns (a redirection made in
    // the child, as posix_spawn file actions do).
    const { r } = collect(
      trace(String.raw`
        5533  execve("/bin/sh", ["/bin/sh", "/tmp/rec/sh.sh"], 0x7ffffda03e30 /* 35 vars */) = 0
        5533  wait4(-1,  <unfinished ...>
        5533  <... wait4 resumed>0x7ffd2e0c1a5c, WNOHANG, NULL) = -1 ECHILD (No child processes)
        5533  chdir("/tmp/rec/w")               = 0
        5533  vfork( <unfinished ...>
        5534  openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3
        5534  execve("/usr/bin/cat", ["cat", "./foo"], 0x55d8e79c8be8 /* 35 vars */ <unfinished ...>
        5533  <... vfork resumed>)              = 5534
        5534  <... execve resumed>)             = 0
      `),
    );
    assert.deepEqual(accessOf(r, "/tmp/rec/w/out.txt"), ["write", "create"]);
    assert.deepEqual(r.unresolved, []);
  });
});

describe("ResourceCollector: the same call text again (pureSeen)", () => {
  // A call on an absolute path is remembered by its text, and its repeats only do what depends on
  // the process: these lines (made for the test in strace's -f and -y forms) repeat the same text in
  // other processes, whose exe, fd table and cwd must still come out right.
  it("a repeated open still records the writing process and fills its fd table", () => {
    const { r } = collect(
      trace(String.raw`
        100 execve("/usr/bin/a", ["a"], 0x7ffd0 /* 1 var */) = 0
        100 openat(AT_FDCWD, "/srv/out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3
        100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101
        101 execve("/usr/bin/b", ["b"], 0x7ffd0 /* 1 var */) = 0
        101 openat(AT_FDCWD, "/srv/out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5
        101 openat(AT_FDCWD, "/usr/lib/libx.so", O_RDONLY|O_CLOEXEC) = 4
        100 openat(AT_FDCWD, "/usr/lib/libx.so", O_RDONLY|O_CLOEXEC) = 7
        100 mmap(NULL, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_DENYWRITE, 7, 0) = 0x7f0000000000
        101 getdents64(5, 0x55d0 /* 2 entries */, 32768) = 48
      `),
    );
    const writes = Object.fromEntries((r.processes ?? []).map((p) => [p.exe, p.writes]));
    assert.deepEqual(writes["/usr/bin/a"], ["/srv/out"]);
    assert.deepEqual(writes["/usr/bin/b"], ["/srv/out"]);
    // fd 7 of process 100 and fd 5 of 101 came from repeated opens.
    assert.deepEqual(accessOf(r, "/usr/lib/libx.so"), ["read", "map"]);
    assert.deepEqual(accessOf(r, "/srv/out"), ["read", "write", "create"]);
  });

  it("a repeated call with a -y AT_FDCWD still teaches each process its cwd, and a -T time does not keep an open from repeating", () => {
    const { r } = collect(
      trace(String.raw`
        200 newfstatat(AT_FDCWD</srv/a>, "/etc/passwd", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0 <0.000010>
        200 openat(AT_FDCWD</srv/a>, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3</etc/hosts> <0.000011>
        201 newfstatat(AT_FDCWD</srv/b>, "/etc/passwd", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0 <0.000012>
        201 openat(AT_FDCWD</srv/b>, "x", O_RDONLY) = 4</srv/b/x> <0.000013>
        202 newfstatat(AT_FDCWD</srv/a>, "/etc/passwd", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0 <0.000014>
        202 openat(AT_FDCWD</srv/a>, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 5</etc/hosts> <0.000099>
        202 getdents64(5</etc/hosts>, 0x55d0 /* 2 entries */, 32768) = 48 <0.000015>
        202 openat(AT_FDCWD, "y", O_WRONLY|O_CREAT, 0666) = 6</srv/a/y> <0.000016>
        202 mkdir("z", 0755) = 0 <0.000017>
      `),
    );
    // 202 learnt /srv/a from the repeated stat (its cwd was unknown): the relative mkdir resolves.
    assert.deepEqual(accessOf(r, "/srv/a/z"), ["create"]);
    assert.deepEqual(accessOf(r, "/srv/a/y"), ["write", "create"]);
    assert.deepEqual(accessOf(r, "/srv/b/x"), ["read"]);
    assert.deepEqual(r.unresolved, []);
  });
  it("a repeated call on a relative path resolves against each process's own cwd", () => {
    const { r } = collect(
      trace(String.raw`
        300 chdir("/srv/a") = 0
        300 openat(AT_FDCWD, "f", O_RDONLY) = 3
        300 newfstatat(AT_FDCWD, "g", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0
        301 chdir("/srv/b") = 0
        301 openat(AT_FDCWD, "f", O_RDONLY) = 3
        301 newfstatat(AT_FDCWD, "g", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0
        302 openat(AT_FDCWD</srv/c>, "f", O_RDONLY) = 3</srv/c/f>
        302 openat(AT_FDCWD</srv/c>, "f", O_RDONLY) = 4</srv/c/f>
        303 openat(AT_FDCWD</srv/c>, "f", O_RDONLY) = 3</srv/c/f>
        303 mkdir("h", 0755) = 0
      `),
    );
    for (const d of ["a", "b"]) {
      assert.deepEqual(accessOf(r, `/srv/${d}/f`), ["read"], d);
      assert.deepEqual(accessOf(r, `/srv/${d}/g`), ["stat"], d);
    }
    assert.deepEqual(accessOf(r, "/srv/c/f"), ["read"]);
    // 303 learnt its cwd from the repeated open.
    assert.deepEqual(accessOf(r, "/srv/c/h"), ["create"]);
    assert.deepEqual(r.unresolved, []);
  });
});

describe("ResourceCollector: untrusted paths", () => {
  const weird = trace(String.raw`
    11973 chdir("/tmp/rec/weird")           = 0
    11973 openat(AT_FDCWD</tmp/rec/weird>, "q\"x", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/q\"x>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "sp x", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/sp x>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "star*", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/star*>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "{brace}", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/{brace}>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "@{HOME}", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/@{HOME}>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "^caret", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/^caret>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "a,b", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/a,b>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "back\\slash", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/back\\slash>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "nl\nx", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/nl\nx>
    11973 unlink("nl\nx")                   = 0
    11973 openat(AT_FDCWD</tmp/rec/weird>, "\351t\303\251", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/\351t\303\251>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "caf\303\251", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/caf\303\251>
    11973 openat(AT_FDCWD</tmp/rec/weird>, "tab\tx", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3</tmp/rec/weird/tab\tx>
  `);

  it("keeps quotes, spaces, *, {, @{HOME}, ^, commas, backslashes and UTF-8 exactly", () => {
    const { r } = collect(weird);
    assert.deepEqual(
      r.files.map((f) => f.path),
      [
        "/tmp/rec/weird",
        "/tmp/rec/weird/@{HOME}",
        "/tmp/rec/weird/^caret",
        "/tmp/rec/weird/a,b",
        "/tmp/rec/weird/back\\slash",
        "/tmp/rec/weird/café",
        '/tmp/rec/weird/q"x',
        "/tmp/rec/weird/sp x",
        "/tmp/rec/weird/star*",
        "/tmp/rec/weird/{brace}",
      ],
    );
    assert.ok(r.files.every((f) => f.generalizedBy === undefined && f.glob === undefined));
  });

  it("reports control characters and invalid UTF-8 as problems with their line, never as files", () => {
    const { r, problems } = collect(weird);
    assert.ok(!r.files.some((f) => /[\x00-\x1f\x7f]/.test(f.path) || f.path.includes("\uFFFD")));
    assert.deepEqual(
      problems.map((p) => p.line),
      [10, 11, 12, 14],
    );
    assert.match(problems[0]!.message, /^openat: path holds control characters: "nl\\nx"$/);
    assert.match(problems[1]!.message, /^unlink: /);
    assert.match(problems[2]!.message, /^openat: path is not valid UTF-8: "\\xe9t\\xc3\\xa9"$/);
    assert.match(problems[3]!.message, /control characters: "tab\\tx"/);
  });

  it('reports a path strace cut short ("..."...) instead of guessing the rest', () => {
    // strace prints paths up to PATH_MAX whatever -s says, so a cut path only shows on a call that
    // failed with ENAMETOOLONG (ignored: it granted nothing). Real line, its `= -1 ENAMETOOLONG (File
    // name too long)` replaced by `= 0` to model a strace (or a -s) that cuts successful paths.
    const cut = ("/tmp/rec/long/" + Array(25).fill("d".repeat(200)).join("/")).slice(0, 4095);
    const real = `11403 newfstatat(AT_FDCWD, "${cut}"..., 0x7fff036bc6d0, 0) = -1 ENAMETOOLONG (File name too long)`;
    assert.deepEqual(collect(real), {
      r: { files: [], execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [], processes: [] },
      problems: [],
    });
    const { r, problems } = collect(real.replace("= -1 ENAMETOOLONG (File name too long)", "= 0"));
    assert.deepEqual(r.files, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 1);
    assert.match(problems[0]!.message, /^newfstatat: path cut by strace's -s limit: "\/tmp\/rec\/long\/d+/);
  });
});

describe("ResourceCollector: sockets and capabilities", () => {
  const runs: Record<string, string> = {
    symbolic: String.raw`
      5462  chdir("/tmp/rec/w")               = 0
      5462  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
      5462  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
      5462  bind(3, {sa_family=AF_INET, sin_port=htons(18080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
      5462  listen(3, 128)                    = 0
      5462  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 4
      5462  connect(4, {sa_family=AF_INET, sin_port=htons(18080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
      5462  accept4(3, {sa_family=AF_INET, sin_port=htons(56986), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 5
      5462  close(5)                          = 0
      5462  close(4)                          = 0
      5462  close(3)                          = 0
      5462  socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
      5462  bind(3, {sa_family=AF_INET6, sin6_port=htons(18081), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
      5462  socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4
      5462  sendto(4, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(18081), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 1
      5462  close(4)                          = 0
      5462  close(3)                          = 0
      5462  socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
      5462  connect(3, {sa_family=AF_INET6, sin6_port=htons(18082), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)
      5462  close(3)                          = 0
      5462  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3
      5462  bind(3, {sa_family=AF_UNIX, sun_path="s.sock"}, 9) = 0
      5462  listen(3, 128)                    = 0
      5462  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 4
      5462  connect(4, {sa_family=AF_UNIX, sun_path="/tmp/rec/w/s.sock"}, 20) = 0
      5462  close(4)                          = 0
      5462  close(3)                          = 0
      5462  unlink("s.sock")                  = 0
      5462  socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3
      5462  bind(3, {sa_family=AF_UNIX, sun_path=@"syscage-abstract"}, 19) = 0
      5462  close(3)                          = 0
      5462  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
      5462  bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
      5462  listen(3, 128)                    = 0
      5462  close(3)                          = 0
      5462  socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC, IPPROTO_ICMP) = 3
      5462  close(3)                          = 0
      5462  socket(AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, htons(ETH_P_ALL)) = 3
      5462  close(3)                          = 0
      5462  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3
      5462  close(3)                          = 0
      5462  mknodat(AT_FDCWD, "dev0", S_IFCHR|0600, makedev(0x1, 0x3)) = 0
      5462  unlink("dev0")                    = 0
      5462  mknodat(AT_FDCWD, "fifo0", S_IFIFO|0600) = 0
      5462  unlink("fifo0")                   = 0
      5462  setgroups(1, [0])                 = 0
      5462  setgid(0)                         = 0
      5462  setuid(0)                         = 0
      5462  chroot("/")                       = 0
    `,
    "-X raw": String.raw`
      5487  chdir("/tmp/rec/w")               = 0
      5487  socket(0x2, 0x1|0x80000, 0)       = 3
      5487  setsockopt(3, 0x1, 0x2, [1], 4)   = 0
      5487  bind(3, {sa_family=0x2, sin_port="\x46\xa0", sin_addr="\x7f\x00\x00\x01"}, 16) = 0
      5487  listen(3, 128)                    = 0
      5487  socket(0x2, 0x1|0x80000, 0x6)     = 4
      5487  connect(4, {sa_family=0x2, sin_port="\x46\xa0", sin_addr="\x7f\x00\x00\x01"}, 16) = 0
      5487  accept4(3, {sa_family=0x2, sin_port="\xde\xb4", sin_addr="\x7f\x00\x00\x01"}, [16], 0x80000) = 5
      5487  close(5)                          = 0
      5487  close(4)                          = 0
      5487  close(3)                          = 0
      5487  socket(0xa, 0x2|0x80000, 0)       = 3
      5487  bind(3, {sa_family=0xa, sin6_port="\x46\xa1", sin6_flowinfo="\x00\x00\x00\x00", sin6_addr="\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", sin6_scope_id=0}, 28) = 0
      5487  socket(0xa, 0x2|0x80000, 0)       = 4
      5487  sendto(4, "x", 1, 0, {sa_family=0xa, sin6_port="\x46\xa1", sin6_flowinfo="\x00\x00\x00\x00", sin6_addr="\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", sin6_scope_id=0}, 28) = 1
      5487  close(4)                          = 0
      5487  close(3)                          = 0
      5487  socket(0xa, 0x1|0x80000, 0)       = 3
      5487  connect(3, {sa_family=0xa, sin6_port="\x46\xa2", sin6_flowinfo="\x00\x00\x00\x00", sin6_addr="\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)
      5487  close(3)                          = 0
      5487  socket(0x1, 0x1|0x80000, 0)       = 3
      5487  bind(3, {sa_family=0x1, sun_path="s.sock"}, 9) = 0
      5487  listen(3, 128)                    = 0
      5487  socket(0x1, 0x1|0x80000, 0)       = 4
      5487  connect(4, {sa_family=0x1, sun_path="/tmp/rec/w/s.sock"}, 20) = 0
      5487  close(4)                          = 0
      5487  close(3)                          = 0
      5487  unlink("s.sock")                  = 0
      5487  socket(0x1, 0x2|0x80000, 0)       = 3
      5487  bind(3, {sa_family=0x1, sun_path=@"syscage-abstract"}, 19) = 0
      5487  close(3)                          = 0
      5487  socket(0x2, 0x1|0x80000, 0)       = 3
      5487  bind(3, {sa_family=0x2, sin_port="\x00\x50", sin_addr="\x7f\x00\x00\x01"}, 16) = 0
      5487  listen(3, 128)                    = 0
      5487  close(3)                          = 0
      5487  socket(0x2, 0x3|0x80000, 0x1)     = 3
      5487  close(3)                          = 0
      5487  socket(0x11, 0x3|0x80000, htons(0x3)) = 3
      5487  close(3)                          = 0
      5487  socket(0x10, 0x3|0x80000, 0)      = 3
      5487  close(3)                          = 0
      5487  mknodat(-100, "dev0", 020600, 0x103) = 0
      5487  unlink("dev0")                    = 0
      5487  mknodat(-100, "fifo0", 010600)    = 0
      5487  unlink("fifo0")                   = 0
      5487  setgroups(1, [0])                 = 0
      5487  setgid(0)                         = 0
      5487  setuid(0)                         = 0
      5487  chroot("/")                       = 0
    `,
  };

  for (const [style, text] of Object.entries(runs)) {
    it(`net.py traced with ${style}: sockets, listens, connects, capabilities`, () => {
      const { r, problems } = collect(trace(text));
      assert.deepEqual(r.sockets, [
        { family: "inet", type: "raw", protocol: "icmp" },
        { family: "inet", type: "stream" },
        { family: "inet", type: "stream", protocol: "tcp" },
        { family: "inet6", type: "dgram" },
        { family: "inet6", type: "stream" },
        { family: "netlink", type: "raw" },
        { family: "packet", type: "raw" },
        { family: "unix", type: "dgram" },
        { family: "unix", type: "stream" },
      ]);
      assert.deepEqual(r.listens, [
        { family: "inet", proto: "tcp", address: "127.0.0.1", port: 80 },
        { family: "inet", proto: "tcp", address: "127.0.0.1", port: 18080 },
        // A bound UDP socket receives without listen().
        { family: "inet6", proto: "udp", address: "::1", port: 18081 },
        // bind("s.sock") is relative: made absolute against the cwd.
        { family: "unix", address: "/tmp/rec/w/s.sock" },
        { family: "unix", address: "@syscage-abstract" },
      ]);
      assert.deepEqual(r.connects, [
        { family: "inet", proto: "tcp", address: "127.0.0.1", port: 18080 },
        // A non-blocking connect that returned EINPROGRESS still asked for the connection.
        { family: "inet6", proto: "tcp", address: "::1", port: 18082 },
        { family: "inet6", proto: "udp", address: "::1", port: 18081 },
        { family: "unix", address: "/tmp/rec/w/s.sock" },
      ]);
      assert.deepEqual(
        r.capabilities.map((c) => c.name),
        // The netlink SOCK_RAW socket (what getaddrinfo opens) needs no net_raw; the packet and inet raw ones do.
        ["mknod", "net_bind_service", "net_raw", "setgid", "setuid", "sys_chroot"],
      );
      const bind80 = r.capabilities.find((c) => c.name === "net_bind_service")!;
      assert.match(bind80.evidence, /^bind\(3, \{sa_family=.*\) at test\.trace:33$/);
      // The socket file a unix bind creates and a connect writes; mknod of a char device and a fifo.
      assert.deepEqual(accessOf(r, "/tmp/rec/w/s.sock"), ["write", "create", "delete"]);
      assert.deepEqual(accessOf(r, "/tmp/rec/w/dev0"), ["create", "delete"]);
      assert.deepEqual(problems, []);
    });
  }

  it("bind to port 80 as root (python3 socket.bind(('127.0.0.1', 80)))", () => {
    const { r } = collect(
      trace(String.raw`
        5462  socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
        5462  bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
        5462  listen(3, 128)                    = 0
      `),
    );
    assert.deepEqual(r.capabilities, [
      { name: "net_bind_service", evidence: 'bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) at test.trace:2' },
    ]);
    assert.deepEqual(r.listens, [{ family: "inet", proto: "tcp", address: "127.0.0.1", port: 80 }]);
  });

  it("-yy: sockets learnt from decorations when their creation was not seen", () => {
    // Real -yy lines of net.py; the socket() call before each was left out.
    const { r } = collect(
      trace(String.raw`
        5483  listen(3<TCP:[127.0.0.1:80]>, 128) = 0
        5483  connect(3<TCPv6:[47911]>, {sa_family=AF_INET6, sin6_port=htons(18082), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)
      `),
    );
    assert.deepEqual(r.connects, [{ family: "inet6", proto: "tcp", address: "::1", port: 18082 }]);
  });
});

describe("ResourceCollector: the samples", () => {
  it("gives sane resources for every recorded sample", async () => {
    const runs = await expandInputs([SAMPLES]);
    const byRun = new Map<string, { r: RunResources; problems: { line: number; message: string }[] }>();
    for (const run of runs) {
      const c = new ResourceCollector({ file: run.id });
      await parseRun(run, { arch: "x86_64", onSyscall: (e) => c.observe(e) });
      byRun.set(run.id, { r: c.result(), problems: c.problems() });
    }
    const of = (dir: string) => [...byRun].filter(([id]) => id.includes(`/${dir}/`)).map(([id, v]) => ({ id, ...v }));
    assert.ok(of("web").length >= 4 && of("runtime").length >= 3 && of("shell").length >= 4 && of("db").length >= 3);

    for (const { id, r, problems } of [...byRun].map(([id, v]) => ({ id, ...v }))) {
      // Every sample starts at execve and its programs learn their cwd (getcwd, chdir, -y) before
      // they use a relative path, so nothing is left unresolved and no path is untrusted.
      assert.deepEqual(r.unresolved, [], id);
      assert.deepEqual(problems, [], id);
      for (const f of r.files) assert.ok(f.path.startsWith("/") && !f.path.includes("//") && !/\/\.\.?(\/|$)/.test(f.path), `${id}: ${f.path}`);
      assert.deepEqual(
        r.files.map((f) => f.path),
        [...r.files.map((f) => f.path)].sort(),
        id,
      );
    }
    for (const { id, r } of of("web")) {
      assert.equal(r.listens.length, 1, id);
      assert.equal(r.listens[0]!.family, "inet", id);
      assert.equal(r.listens[0]!.proto, "tcp", id);
      assert.equal(r.listens[0]!.address, "127.0.0.1", id);
      assert.equal(r.listens[0]!.port, 8000, id); // scripts/record-samples.sh's fixed port
      assert.ok(
        r.files.some((f) => f.path.endsWith("/work/web/site/docs/big.txt") && f.access.includes("read")),
        id,
      );
    }
    for (const { id, r } of of("runtime")) {
      if (id.endsWith(".table")) continue; // a -c summary only: no arguments to learn from
      assert.deepEqual(r.execs, [{ path: "/bin/echo", parent: "/usr/bin/node" }, { path: "/usr/bin/node" }], id);
      assert.ok(
        r.files.some((f) => /\/work\/runtime\/run[^/]*\/result\.txt$/.test(f.path) && f.access.includes("write") && f.access.includes("create")),
        id,
      );
    }
    for (const { id, r } of of("shell")) {
      if (id.endsWith(".table")) continue;
      const top = r.files.find((f) => /^\/tmp\/syscage-samples\/work\/shell\/run[^/]*\/top\.txt$/.test(f.path));
      assert.ok(top, `${id}: top.txt resolved against the cd'ed work dir`);
      assert.deepEqual(top.access, ["read", "write", "create", "stat"], id);
      assert.ok(
        r.execs.some((e) => e.path === "/usr/bin/sort" && e.parent === "/bin/sh"),
        id,
      );
    }
    for (const { id, r } of of("db")) {
      const db = r.files.find((f) => /\/work\/db\/run\d\/library\.db$/.test(f.path));
      assert.deepEqual(db?.access, ["read", "write", "create", "lock", "stat"], id);
      assert.ok(
        r.files.some((f) => f.path.endsWith("/library.db-journal") && f.access.includes("delete")),
        id,
      );
    }
    // -y adds the resolved paths: libc opened as /lib/... is /usr/lib/... on this usrmerged host.
    const y = byRun.get([...byRun.keys()].find((k) => k.includes("tt-T-y"))!)!.r;
    assert.ok(y.files.some((f) => f.path === "/usr/lib/x86_64-linux-gnu/libc.so.6" && f.access.includes("map")));
    assert.ok(y.files.some((f) => f.path === "/lib/x86_64-linux-gnu/libc.so.6" && f.access.includes("map")));
  });
});
