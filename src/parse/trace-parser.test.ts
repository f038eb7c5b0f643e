// Every line form strace writes, as real lines (recorded with strace 6.1 on x86_64 unless a case says
// otherwise, or taken from the public corpus), with the events the parser must make of them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Arch } from "../model/arch.js";
import type { SyscallEvent } from "../model/trace.js";
import { parseText } from "../test/support/parse-text.js";
import { FLIGHT_CLONING, FLIGHT_RESUMED, TraceParser } from "./trace-parser.js";

type Expected = Partial<Pick<SyscallEvent, "pid" | "arch" | "name" | "outcome" | "retval" | "errno" | "retDecor" | "line" | "known" | "args">>;

interface Case {
  form: string;
  text: string;
  arch?: Arch;
  pid?: number;
  events: Expected[];
  /** Diagnostic codes expected, in order (default: none). */
  diagnostics?: string[];
}

const CASES: Case[] = [
  {
    form: "no prefix (one process, -o without -f)",
    text: 'openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3\n',
    events: [{ pid: 0, name: "openat", outcome: "ok", retval: "3", args: 'AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC', line: 1 }],
  },
  {
    form: "PID column (-f -o), padded",
    text: "6481  getpid()                 = 6481\n1230  close(3)                          = 0\n",
    events: [
      { pid: 6481, name: "getpid", retval: "6481" },
      { pid: 1230, name: "close", retval: "0" },
    ],
  },
  {
    form: "[pid N] prefix (-f to stderr), padded",
    text: "[pid  6662] set_robust_list(0x7f9a05422a20, 24) = 0\n[pid 513337] gettid()                   = 513337\n",
    events: [
      { pid: 6662, name: "set_robust_list" },
      { pid: 513337, name: "gettid", retval: "513337" },
    ],
  },
  {
    form: "-t",
    text: "6481  11:30:09 getpid()                 = 6481\n",
    events: [{ pid: 6481, name: "getpid" }],
  },
  {
    form: "-tt",
    text: '6490  11:30:09.700908 openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3\n',
    events: [{ pid: 6490, name: "openat", retval: "3" }],
  },
  {
    form: "-ttt",
    text: "6499  1795433409.729903 getpid()        = 6499\n",
    events: [{ pid: 6499, name: "getpid" }],
  },
  {
    form: "-ttt without a pid column",
    text: '1634152383.337164 execve("/bin/true", ["true"], 0x7ffd6a0d5a28 /* 20 vars */) = 0\n',
    events: [{ pid: 0, name: "execve", outcome: "ok" }],
  },
  {
    form: "-r (relative timestamps, leading spaces)",
    text: "6508       0.000041 getpid()            = 6508\n     0.000008 semop(9764864, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1) = 0 <9.685337>\n",
    events: [
      { pid: 6508, name: "getpid" },
      { name: "semop", retval: "0", retDecor: "<9.685337>" },
    ],
  },
  {
    form: "-tt -r combined",
    text: "20:37:49.050065 (+     0.000012) semop(9928704, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1) = 0 <5.030807>\n",
    events: [{ name: "semop", retval: "0" }],
  },
  {
    form: "-T durations",
    text: '6517  openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3 <0.000022>\n',
    events: [{ name: "openat", retval: "3", retDecor: "<0.000022>" }],
  },
  {
    form: "-y fd decorations in arguments and result",
    text: '6526  openat(AT_FDCWD</tmp/stt>, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libc.so.6>\n',
    events: [{ name: "openat", retval: "3", retDecor: "</usr/lib/x86_64-linux-gnu/libc.so.6>" }],
  },
  {
    form: "-y decoration holding parentheses",
    text: "6526  fstat(3</tmp/a (copy)/b)>, {st_mode=S_IFREG|0644, st_size=5, ...}) = 0\n",
    events: [{ name: "fstat", retval: "0" }],
  },
  {
    form: "-y cwd decoration holding a comma and a parenthesis",
    text: '6526  openat(AT_FDCWD</tmp/a,b(c>, "x", O_RDONLY) = 3</tmp/a,b(c/x>\n',
    events: [{ name: "openat", retval: "3", args: 'AT_FDCWD</tmp/a,b(c>, "x", O_RDONLY' }],
  },
  {
    form: "-yy socket decoration with ->",
    text: '7001  connect(3<TCP:[127.0.0.1:45678->127.0.0.1:80]>, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n',
    events: [{ name: "connect", retval: "0" }],
  },
  {
    form: "-i instruction pointer",
    text: "6544  [00007f67cee5e4e7] getpid()       = 6544\n",
    events: [{ pid: 6544, name: "getpid" }],
  },
  {
    form: "--decode-pids=comm",
    text: '6589<sh> openat(AT_FDCWD, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC) = 3\n6589<sh> getpid()                       = 6589<sh>\n',
    events: [
      { pid: 6589, name: "openat" },
      { pid: 6589, name: "getpid", retval: "6589" },
    ],
  },
  {
    form: "-k stack frames belong to the previous event",
    text: '3916  openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3\n > /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2(_dl_catch_error+0x869d) [0x20b1d]\n > /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2(_dl_debug_state+0x201) [0x2261]\n3916  close(3)                          = 0\n',
    events: [{ name: "openat" }, { name: "close" }],
  },
  {
    form: "-e write= hex dump lines",
    text: '3921  write(1, "hello\\n", 6)            = 6\n | 00000  68 65 6c 6c 6f 0a                                 hello.           |\n3921  exit_group(0)                     = ?\n3921  +++ exited with 0 +++\n',
    events: [
      { name: "write", retval: "6" },
      { name: "exit_group", outcome: "unfinished", retval: "" },
    ],
  },
  {
    form: "-s truncated string with ) = inside",
    text: '6645  read(3, "x) = 5 \\"(\\"y"..., 832) = 832\n',
    events: [{ name: "read", retval: "832" }],
  },
  {
    form: "-x hex string",
    text: '6553  write(1, "\\x68\\x69\\x0a", 3)   = 3\n',
    events: [{ name: "write", retval: "3" }],
  },
  {
    form: "-xx",
    text: '6562  openat(AT_FDCWD, "\\x2f\\x6c\\x69\\x62\\x2f\\x78", O_RDONLY|O_CLOEXEC) = 3\n',
    events: [{ name: "openat", retval: "3" }],
  },
  {
    form: "-X raw",
    text: '6571  openat(-100, "/lib/x86_64-linux-gnu/libc.so.6", 0x80000) = 3\n',
    events: [{ name: "openat", retval: "3" }],
  },
  {
    form: "-X verbose",
    text: '6580  openat(-100 /* AT_FDCWD */, "/lib/x86_64-linux-gnu/libc.so.6", 0x80000 /* O_RDONLY|O_CLOEXEC */) = 3\n',
    events: [{ name: "openat", retval: "3" }],
  },
  {
    form: "-e inject: error and retval markers, delay",
    text: '6639  openat(AT_FDCWD, "/usr/lib/locale/locale-archive", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory) (INJECTED)\n6606  getpid()                          = 42 (INJECTED)\n6645  read(3, "# Locale"..., 4096) = 2996 (DELAYED)\n',
    events: [
      { name: "openat", outcome: "error", errno: "ENOENT", retval: "-1" },
      { name: "getpid", outcome: "ok", retval: "42", retDecor: "(INJECTED)" },
      { name: "read", outcome: "ok", retval: "2996" },
    ],
  },
  {
    form: "unfinished / resumed, interleaved with another pid",
    text: '6652  set_robust_list(0x7f956f264a20, 24 <unfinished ...>\n6651  newfstatat(AT_FDCWD, "/root/.cargo/bin/sleep",  <unfinished ...>\n6652  <... set_robust_list resumed>)    = 0\n6651  <... newfstatat resumed>0x7ffc4f617250, 0) = -1 ENOENT (No such file or directory)\n',
    events: [
      { pid: 6652, name: "set_robust_list", outcome: "ok", line: 1, args: "0x7f956f264a20, 24" },
      { pid: 6651, name: "newfstatat", outcome: "error", errno: "ENOENT", line: 2, args: 'AT_FDCWD, "/root/.cargo/bin/sleep", 0x7ffc4f617250, 0' },
    ],
  },
  {
    form: "old resumed form with a space (strace <= 4.26)",
    text: "32266 select(4, [3], NULL, NULL, {1, 0} <unfinished ...>\n32266 <... select resumed> )      = 0 (Timeout)\n",
    events: [{ pid: 32266, name: "select", outcome: "ok", retval: "0" }],
  },
  {
    form: "thread killed mid-call (resumed then unfinished)",
    text: "1001  nanosleep({tv_sec=0, tv_nsec=20000}, NULL <unfinished ...>\n1000  exit_group(0)                     = ?\n1001  <... nanosleep resumed> <unfinished ...>) = ?\n1001  +++ exited with 0 +++\n1000  +++ exited with 0 +++\n",
    events: [
      { pid: 1000, name: "exit_group", outcome: "unfinished" },
      { pid: 1001, name: "nanosleep", outcome: "unfinished" },
    ],
  },
  {
    form: "exit_group unfinished then resumed = ?",
    text: "3688  exit_group(0 <unfinished ...>\n3688  <... exit_group resumed>)         = ?\n3688  +++ exited with 0 +++\n",
    events: [{ name: "exit_group", outcome: "unfinished", line: 1 }],
  },
  {
    form: "signals and exits are not syscalls",
    text: "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3690, si_uid=0, si_status=2, si_utime=0, si_stime=0} ---\nrt_sigreturn({mask=[]})                 = 61\n+++ killed by SIGSEGV (core dumped) +++\n",
    events: [{ name: "rt_sigreturn", retval: "61" }],
  },
  {
    form: "restart_syscall",
    text: "restart_syscall(<... resuming interrupted poll ...>) = 1\n",
    events: [{ name: "restart_syscall", outcome: "ok", retval: "1" }],
  },
  {
    form: "ERESTART* is an error result",
    text: "3687  <... rt_sigsuspend resumed>)      = ? ERESTARTNOHAND (To be restarted if no handler)\n29063 poll([{fd=3, events=POLLIN}], 1, 1000) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n",
    events: [
      { name: "rt_sigsuspend", outcome: "error", errno: "ERESTARTNOHAND", retval: "?" },
      { name: "poll", outcome: "error", errno: "ERESTART_RESTARTBLOCK" },
    ],
    diagnostics: ["SC_RESUMED_WITHOUT_CALL"],
  },
  {
    form: "hex return value and flags decoration",
    text: "brk(NULL)                               = 0x55d5c9a4f000\nfcntl(7, F_GETFL)          = 0x8000 (flags O_RDONLY|O_LARGEFILE)\n",
    events: [
      { name: "brk", retval: "0x55d5c9a4f000" },
      { name: "fcntl", retval: "0x8000", retDecor: "(flags O_RDONLY|O_LARGEFILE)" },
    ],
  },
  {
    form: "localized error text keys on the E name",
    text: 'ioctl(3, TCGETS, 0x7ffd) = -1 EINVAL (Недопустимый аргумент)\nopenat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (没有那个文件或目录)\n',
    events: [
      { name: "ioctl", outcome: "error", errno: "EINVAL" },
      { name: "openat", outcome: "error", errno: "ENOENT" },
    ],
  },
  {
    form: "raw errno form (strace < 4.23)",
    text: "syscall_317(0x1, 0, 0x7ffd) = -1 (errno 22)\n",
    events: [{ name: "seccomp", outcome: "error", errno: "errno 22", known: true }],
  },
  {
    form: "unknown syscall by hex number is resolved through the arch table",
    text: "syscall_0x1b7(0x3, 0x7ffd, 0x18, 0) = 0\n",
    events: [{ name: "faccessat2", known: true }],
  },
  {
    form: "unknown syscall number is reported, not dropped",
    text: "syscall_0x3e7(0x3) = -1 ENOSYS (Function not implemented)\n",
    events: [{ name: "syscall_0x3e7", known: false, outcome: "error" }],
    diagnostics: ["SC_UNKNOWN_SYSCALL"],
  },
  {
    form: "old strace names map to kernel names",
    text: 'pread(3, "\\177ELF"..., 832, 64) = 832\npwrite(4, "x", 1, 0) = 1\n_exit(0)                                = ?\n',
    events: [
      { name: "pread64", known: true },
      { name: "pwrite64", known: true },
      { name: "exit", outcome: "unfinished" },
    ],
  },
  {
    form: "personality switch: 32-bit process (stderr form, strace 4.15-5.5)",
    text: 'execve("/usr/lib/wine/wine", ["/usr/lib/wine/wine"], 0x7ffe12ffeca0 /* 103 vars */) = 0\nstrace: [ Process PID=17326 runs in 32 bit mode. ]\nbrk(NULL)                               = 0x8b4d000\nmmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7f0e000\n',
    events: [
      // Events before strace names the root process carry pid 0 (the stream cannot wait to learn it).
      { pid: 0, name: "execve", arch: "x86_64" },
      { pid: 17326, name: "brk", arch: "i386" },
      { pid: 17326, name: "mmap2", arch: "i386", known: true },
    ],
  },
  {
    form: "personality switch: x32, then back to 64 bit",
    text: '100   [ Process PID=100 runs in x32 mode. ]\n100   read(3, "", 4) = 0\n100   [ Process PID=100 runs in 64 bit mode. ]\n100   read(3, "", 4) = 0\n',
    events: [
      { name: "read", arch: "x32" },
      { name: "read", arch: "x86_64" },
    ],
  },
  {
    form: "32-bit names without a personality line switch the process, with a diagnostic",
    text: "200   fstat64(3, {st_mode=S_IFREG|0644, st_size=1, ...}) = 0\n200   close(3) = 0\n",
    events: [
      { name: "fstat64", arch: "i386", known: true },
      { name: "close", arch: "i386" },
    ],
    diagnostics: ["SC_ARCH_INFERRED"],
  },
  {
    form: "aarch64 trace (--arch aarch64)",
    arch: "aarch64",
    text: 'faccessat(AT_FDCWD, "/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)\n',
    events: [{ name: "faccessat", arch: "aarch64", known: true, outcome: "error" }],
  },
  {
    form: "stderr form: tracee output spliced before the result",
    text: 'write(1, "successful lookup: google.com\\nre"..., 129successful lookup: google.com\nreturned address: 142.250.81.206\n) = 129\nexit_group(0)                           = ?\n',
    events: [
      { name: "write", retval: "129", line: 1 },
      { name: "exit_group", outcome: "unfinished" },
    ],
  },
  {
    form: "stderr form: tracee output with a stray quote inside the arguments",
    text: 'write(2, "\\"", 1")                       = 1\nwrite(2, ",\\n", 2,\n)                      = 2\n',
    events: [
      { name: "write", retval: "1", line: 1 },
      { name: "write", retval: "2", line: 2 },
    ],
  },
  {
    form: "stderr form: strace's attach message spliced into a clone, continued on the next line",
    text: "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 6703 attached\n, child_tidptr=0x7f4a56a0da10) = 6703\n[pid  6703] set_robust_list(0x7f4a56a0da20, 24) = 0\n[pid  6702] wait4(-1,  <unfinished ...>\n[pid  6703] exit_group(0) = ?\n[pid  6703] +++ exited with 0 +++\n<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6703\n",
    events: [
      { pid: 0, name: "clone", retval: "6703", line: 1 },
      { pid: 6703, name: "set_robust_list" },
      { pid: 6703, name: "exit_group", outcome: "unfinished" },
      { pid: 6702, name: "wait4", retval: "6703", line: 4 },
    ],
  },
  {
    form: "stderr form: prefix dropped while a cloned child is not attached yet, /usr/bin/strace messages",
    text: [
      "[pid 11174] clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>",
      '[pid 11175] write(1, "pear\\n", 5 <unfinished ...>',
      "[pid 11174] <... clone resumed>, child_tidptr=0x7f04f2687a10) = 11176",
      "[pid 11175] <... write resumed>)        = 5",
      "[pid 11175] exit_group(0 <unfinished ...>",
      '[pid 11174] newfstatat(AT_FDCWD, "/usr/bin/uniq",  <unfinished ...>',
      "[pid 11175] <... exit_group resumed>)   = ?",
      "[pid 11175] +++ exited with 0 +++",
      "<... newfstatat resumed>{st_mode=S_IFREG|0755, st_size=48080, ...}, 0) = 0",
      "/usr/bin/strace: Process 11176 attached",
      "[pid 11176] set_robust_list(0x7f04f2687a20, 24) = 0",
      "",
    ].join("\n"),
    events: [
      { pid: 11174, name: "clone", retval: "11176" },
      { pid: 11175, name: "write" },
      { pid: 11175, name: "exit_group", outcome: "unfinished" },
      { pid: 11174, name: "newfstatat", outcome: "ok", line: 6 },
      { pid: 11176, name: "set_robust_list" },
    ],
  },
  {
    form: "-ff per-process file: pid from the file name",
    pid: 4242,
    text: "getpid() = 4242\n",
    events: [{ pid: 4242, name: "getpid" }],
  },
  {
    form: "strace -p: attached process owns the unprefixed lines",
    text: "strace: Process 15 attached\nrestart_syscall(<... resuming interrupted poll ...>) = 1\n",
    events: [{ pid: 15, name: "restart_syscall" }],
  },
  {
    form: "multithreaded execve: superseded thread's call completes on the leader",
    text: '301   execve("/bin/true", ["true"], 0x7ffd /* 3 vars */ <unfinished ...>\n300   +++ superseded by execve in pid 301 +++\n300   <... execve resumed>)             = 0\n',
    events: [{ pid: 300, name: "execve", outcome: "ok", line: 1 }],
  },
  {
    form: "CRLF line endings",
    text: "close(3) = 0\r\nclose(4) = -1 EBADF (Bad file descriptor)\r\n",
    events: [
      { name: "close", retval: "0" },
      { name: "close", errno: "EBADF" },
    ],
  },
  {
    form: "ANSI colour is stripped",
    text: "\x1b[1mclose\x1b[0m(3) = 0\n",
    events: [{ name: "close", retval: "0" }],
  },
  {
    form: "truncated last line (strace killed)",
    text: "close(3) = 0\npoll([{fd=3, events=POLLIN}], 1, 3600000",
    events: [{ name: "close" }, { name: "poll", outcome: "unfinished", line: 2 }],
    diagnostics: ["SC_TRUNCATED_TRACE"],
  },
  {
    form: "-p detach mid-call",
    text: "29063 futex(0x7f, FUTEX_WAIT_PRIVATE, 0, NULL <detached ...>\n",
    events: [{ name: "futex", outcome: "unfinished" }],
  },
];

describe("strace line forms", () => {
  for (const c of CASES) {
    it(c.form, () => {
      const opts: { arch?: Arch; pid?: number } = {};
      if (c.arch) opts.arch = c.arch;
      if (c.pid !== undefined) opts.pid = c.pid;
      const { events, result } = parseText(c.text, opts);
      assert.equal(events.length, c.events.length, `events: ${JSON.stringify(events.map((e) => e.name))}`);
      c.events.forEach((exp, i) => {
        const got = events[i]!;
        const picked = Object.fromEntries(Object.keys(exp).map((k) => [k, got[k as keyof SyscallEvent]]));
        assert.deepEqual(picked, exp, `event ${i}`);
        if (exp.known === undefined && !got.name.startsWith("syscall_")) assert.equal(got.known, true, `${got.name} should be a known syscall`);
      });
      assert.deepEqual(
        result.diagnostics.map((d) => d.code),
        c.diagnostics ?? [],
        JSON.stringify(result.diagnostics),
      );
    });
  }
});

describe("process model", () => {
  it("tracks parents, execs, exit statuses and signals", () => {
    const { result } = parseText(
      [
        '3687  execve("/usr/bin/sh", ["sh", "-c", "ls /x"], 0x7ffd /* 20 vars */) = 0',
        "3687  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 3690",
        '3690  execve("/usr/bin/ls", ["ls", "/x"], 0x55 /* 20 vars */) = 0',
        "3690  exit_group(2)                     = ?",
        "3690  +++ exited with 2 +++",
        "3687  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=3690, si_uid=0, si_status=2, si_utime=0, si_stime=0} ---",
        "3687  +++ killed by SIGKILL +++",
        "",
      ].join("\n"),
    );
    assert.deepEqual(result.processes, [
      { pid: 3687, execs: ["/usr/bin/sh"], arches: ["x86_64"], signals: ["SIGCHLD"], exit: { kind: "killed", signal: "SIGKILL", coreDumped: false } },
      { pid: 3690, parent: 3687, execs: ["/usr/bin/ls"], arches: ["x86_64"], signals: [], exit: { kind: "exited", code: 2 } },
    ]);
  });

  it("counts the way strace -c does", () => {
    const { result } = parseText(
      [
        "1  close(3) = 0",
        "1  close(9) = -1 EBADF (Bad file descriptor)",
        "1  rt_sigsuspend([], 8) = ? ERESTARTNOHAND (To be restarted if no handler)",
        "1  exit_group(0) = ?",
        "",
      ].join("\n"),
    );
    assert.deepEqual(result.counts.x86_64, {
      close: { calls: 2, errors: 1, unfinished: 0 },
      exit_group: { calls: 0, errors: 0, unfinished: 1 },
      rt_sigsuspend: { calls: 1, errors: 1, unfinished: 0 },
    });
  });
});

// The resource tracker asks the parser whether a process no clone announced can start at once
// (TraceParser.unannouncedStartsNow): only once strace is seen to print calls as they begin (a
// `<... resumed>` line) and while no clone, fork or vfork is in progress.
describe("unannouncedStartsNow", () => {
  // strace -f -s 256 /bin/sh sh.sh (the resources tests' recording), cut down; the wait4 pair is
  // from the same recording's end.
  const lines = [
    ['5533  execve("/bin/sh", ["/bin/sh", "/tmp/rec/sh.sh"], 0x7ffffda03e30 /* 35 vars */) = 0', false],
    ["5533  vfork( <unfinished ...>", false],
    ["5534  rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0", false],
    ["5533  <... vfork resumed>)              = 5534", true],
    ['5534  execve("/usr/bin/cat", ["cat", "./foo"], 0x55d8e79c8be8 /* 35 vars */ <unfinished ...>', true],
    ["5533  vfork( <unfinished ...>", false],
    ["5534  <... execve resumed>)             = 0", false],
    ["5533  <... vfork resumed>)              = 5535", true],
    ["5533  wait4(-1,  <unfinished ...>", true],
    ["5535  exit_group(0)                     = ?", true],
    ["5535  +++ exited with 0 +++", true],
    ["5533  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5535", true],
  ] as const;

  it("is false until a resumed line, and while a vfork is in progress", () => {
    const p = new TraceParser({ id: "t", files: ["t"] }, { arch: "x86_64" });
    p.beginFile("t");
    lines.forEach(([l, expected], i) => {
      p.line(l, i + 1, true);
      assert.equal(p.unannouncedStartsNow(), expected, `after line ${i + 1}: ${l}`);
    });
  });

  it("a part reports the same state as it changes, for the merge (onFlight)", () => {
    const states: number[] = [];
    const p = new TraceParser({ id: "t", files: ["t"] }, { arch: "x86_64", part: true, onFlight: (s) => states.push(s) });
    p.beginFile("t");
    let state = 0;
    const seen: boolean[] = [];
    lines.forEach(([l], i) => {
      p.line(l, i + 1, true);
      state = states[states.length - 1] ?? state;
      seen.push((state & FLIGHT_RESUMED) !== 0 && (state & FLIGHT_CLONING) === 0);
    });
    assert.deepEqual(
      seen,
      lines.map(([, expected]) => expected),
    );
    // The merge combines the part's state with its own: a clone in progress before the part still holds.
    assert.equal(p.unannouncedStartsNow(FLIGHT_CLONING), false);
  });
});
