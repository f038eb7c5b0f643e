import { skipUnless } from "./skip.js";

/**
 * Why a test that runs containers must be skipped here, or false when it can run: it needs root,
 * strace and the runtime (Debian packages strace, runc, crun). Under CI=true a missing piece fails
 * the test instead (.ci/run installs them and runs as root).
 */
export function containerSkip(runtime: "runc" | "crun"): string | false {
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error(`container tests need root in CI (${runtime} creates namespaces and mounts)`);
    return `needs root (${runtime} creates namespaces and mounts)`;
  }
  return skipUnless("strace", runtime);
}
