import { haveTool } from "./paths.js";

/**
 * Why a test that runs containers must be skipped here, or false when it can run: it needs root,
 * strace and the runtime (Debian packages strace, runc, crun). Under CI=true a missing piece fails
 * the test instead (.ci/run installs them and runs as root).
 */
export function containerSkip(runtime: "runc" | "crun"): string | false {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) {
    if (process.env.CI === "true") throw new Error(`container tests need root in CI (${runtime} creates namespaces and mounts)`);
    missing.push("root");
  }
  if (!haveTool("strace", ["-V"])) missing.push("strace (apt-get install strace)");
  if (!haveTool(runtime, ["--version"])) missing.push(`${runtime} (apt-get install ${runtime})`);
  return missing.length > 0 ? `needs ${missing.join(", ")}` : false;
}
