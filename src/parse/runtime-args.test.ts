import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSandbox, parseCreateArgs, parseRuntimeArgs, runName } from "./runtime-args.js";

describe("the runtime command line the shim passes through", () => {
  it("splits global flags, the subcommand and its arguments as runc does, taking out the shim's own flags", () => {
    // conmon (Podman) and containerd's runc shim call the runtime like this.
    assert.deepEqual(
      parseRuntimeArgs([
        "--syscage-out=/var/runs",
        "--root",
        "/run/runc",
        "--log=/x/log.json",
        "--log-format",
        "json",
        "--systemd-cgroup",
        "create",
        "--bundle",
        "/b",
        "--pid-file",
        "/p",
        "abc",
      ]),
      {
        globals: ["--root", "/run/runc", "--log=/x/log.json", "--log-format", "json", "--systemd-cgroup"],
        command: "create",
        rest: ["--bundle", "/b", "--pid-file", "/p", "abc"],
        shim: { out: "/var/runs" },
      },
    );
    assert.deepEqual(parseRuntimeArgs(["--syscage-runtime", "/usr/bin/crun", "state", "abc"]).shim, { runtime: "/usr/bin/crun" });
    assert.deepEqual(parseRuntimeArgs(["--version"]), { globals: ["--version"], command: undefined, rest: [], shim: {} });
  });
  it("finds the bundle, the id, --detach and --preserve-fds of create and run", () => {
    assert.deepEqual(parseCreateArgs(["--bundle", "/b", "--console-socket", "/s.sock", "--pid-file=/p", "--preserve-fds", "2", "id1"]), {
      bundle: "/b",
      id: "id1",
      detach: false,
      preserveFds: 2,
    });
    assert.deepEqual(parseCreateArgs(["-d", "-b=/c", "id2"]), { bundle: "/c", id: "id2", detach: true, preserveFds: 0 });
    assert.deepEqual(parseCreateArgs(["id3"]), { bundle: undefined, id: "id3", detach: false, preserveFds: 0 });
  });
});

describe("naming a recorded run", () => {
  it("uses Kubernetes' container name (with its namespace), else syscage's annotation, else the id", () => {
    assert.equal(runName({ "io.kubernetes.cri.container-name": "web", "io.kubernetes.cri.sandbox-namespace": "shop" }, "0123"), "shop_web");
    assert.equal(runName({ "io.kubernetes.container.name": "db", "io.kubernetes.pod.namespace": "prod" }, "0123"), "prod_db");
    assert.equal(runName({ "org.syscage.name": "api" }, "0123"), "api");
    assert.equal(runName({}, "9e62a4b7"), "9e62a4b7");
  });
  it("an annotation cannot lead the run outside the output directory", () => {
    assert.equal(runName({ "org.syscage.name": "../../etc/cron.d/x" }, "id"), "__.._etc_cron.d_x");
    assert.equal(runName({ "org.syscage.name": ".." }, "id"), "_");
    assert.equal(runName({ "org.syscage.name": 7 }, "id"), "id");
  });
  it("knows a Kubernetes sandbox (pause) container", () => {
    assert.equal(isSandbox({ "io.kubernetes.cri.container-type": "sandbox" }), true);
    assert.equal(isSandbox({ "io.kubernetes.cri.container-type": "container" }), false);
  });
});
