// What each executable did (for Falco rules scoped by process), and the events the replay sees:
// the accepted connection's local port comes from the listening socket's bind, followed through the
// fd table (dup, fork), or from -yy; the parent is the process that forked, not the program a
// process exec'ed from. Hand-written strace lines, each the shape strace 6 prints.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProcessUse } from "../model/resources.js";
import { parseText } from "../test/support/parse-text.js";
import { ResourceCollector, type ProcessActivity } from "./resources.js";

function run(text: string): { processes: ProcessUse[]; activity: ProcessActivity[] } {
  const activity: ProcessActivity[] = [];
  const c = new ResourceCollector({ file: "t.trace", onActivity: (a) => activity.push(a) });
  for (const e of parseText(text).events) c.observe(e);
  return { processes: c.result().processes ?? [], activity };
}

const byExe = (ps: ProcessUse[], exe: string) => ps.find((p) => p.exe === exe);

describe("per-process facts", () => {
  it("takes an accepted connection's local port from the listening socket's bind, through dup and fork", () => {
    const { processes, activity } = run(
      [
        `100 execve("/usr/sbin/httpd", ["httpd"], 0x7ffd /* 3 vars */) = 0`,
        `100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3`,
        `100 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("0.0.0.0")}, 16) = 0`,
        `100 listen(3, 128) = 0`,
        `100 dup2(3, 7) = 7`,
        `100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101`,
        `101 accept4(7, {sa_family=AF_INET, sin_port=htons(51234), sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 4`,
        `101 exit_group(0) = ?`,
      ].join("\n") + "\n",
    );
    assert.deepEqual(byExe(processes, "/usr/sbin/httpd")?.accepts, [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8080 }]);
    assert.deepEqual(byExe(processes, "/usr/sbin/httpd")?.listens, [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8080 }]);
    const accept = activity.find((a) => a.kind === "accept");
    assert.equal(accept?.line, 7);
    assert.deepEqual(accept?.kind === "accept" ? accept.local?.port : undefined, 8080);
    assert.equal(accept?.parentExe, "/usr/sbin/httpd");
  });

  it("reads the local port from -yy when the socket was bound to port 0", () => {
    const { processes } = run(
      [
        `100 execve("/srv/app", ["app"], 0x7ffd /* 3 vars */) = 0`,
        `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3<TCP:[123]>`,
        `100 bind(3<TCP:[123]>, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
        `100 listen(3<TCP:[127.0.0.1:40001]>, 5) = 0`,
        `100 accept(3<TCP:[127.0.0.1:40001]>, NULL, NULL) = 4<TCP:[127.0.0.1:40001->127.0.0.1:50000]>`,
      ].join("\n") + "\n",
    );
    assert.deepEqual(
      byExe(processes, "/srv/app")?.accepts.map((e) => e.port),
      [40001],
    );
  });

  it("names the forking process's program as the parent, not the program a process exec'ed from", () => {
    const { processes } = run(
      [
        `100 execve("/usr/bin/python3", ["python3", "w.py"], 0x7ffd /* 3 vars */) = 0`,
        `100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88) = 101`,
        `101 execve("/usr/bin/sh", ["sh", "-c", "exec true"], 0x7ffd /* 3 vars */) = 0`,
        `101 execve("/usr/bin/true", ["true"], 0x7ffd /* 3 vars */) = 0`,
        `100 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 102`,
        `102 clone(child_stack=NULL, flags=SIGCHLD) = 103`,
        `103 execve("/usr/bin/id", ["id"], 0x7ffd /* 3 vars */) = 0`,
        `103 openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3`,
        `100 connect(5, {sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr("10.0.0.5")}, 16) = -1 EINPROGRESS (Operation now in progress)`,
      ].join("\n") + "\n",
    );
    // sh was started by python3's child; true replaced sh in the same process, so its parent is
    // python3 too; id was forked by a thread of python3, whose process is the parent.
    assert.deepEqual(byExe(processes, "/usr/bin/python3")?.spawns, ["/usr/bin/id", "/usr/bin/sh", "/usr/bin/true"]);
    assert.equal(byExe(processes, "/usr/bin/sh"), undefined);
    assert.deepEqual(byExe(processes, "")?.spawns, ["/usr/bin/python3"]);
    assert.deepEqual(byExe(processes, "/usr/bin/id")?.writes, ["/tmp/out"]);
    assert.deepEqual(byExe(processes, "/usr/bin/python3")?.connects, [{ family: "inet", address: "10.0.0.5", port: 5432 }]);
  });
});
