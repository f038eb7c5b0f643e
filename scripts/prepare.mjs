#!/usr/bin/env node
// `npm run build` and npm's `prepare` step: compiles src/ (without the tests, tsconfig.build.json)
// into a clean dist/. npm runs `prepare` after `npm ci`/`npm install` in a clone, before `npm pack`,
// and when it installs syscage from a git URL or a folder. Two of those paths have no TypeScript:
// - a tarball made by `npm pack` ships dist/ and no src/: nothing to build;
// - `npm install -g .` in a fresh clone links the folder without installing its dependencies
//   (neither typescript nor yargs): install the locked ones here first (`npm ci --ignore-scripts`,
//   so this script does not run again), then build. The global link then finds them.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: childEnv() });
  if (r.status !== 0) {
    console.error(`syscage prepare: ${[cmd, ...args].join(" ")} failed${r.error ? `: ${r.error.message}` : ""}`);
    process.exit(r.status || 1);
  }
}

/** The environment without the npm settings of the install that runs us (-g, --prefix, --omit=dev). */
function childEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^npm_config_(global|prefix|location|omit|include|production|only|also|dev)$/i.test(k)) delete env[k];
  }
  return env;
}

if (!existsSync(join(root, "src"))) {
  if (!existsSync(join(root, "dist", "cli.js"))) {
    console.error("syscage prepare: neither src/ nor dist/cli.js is here; nothing to run");
    process.exit(1);
  }
  process.exit(0);
}
if (!existsSync(tsc)) {
  console.error("syscage prepare: TypeScript is not installed here; installing the locked dependencies first (npm ci --ignore-scripts)");
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.(c?js|mjs)$/.test(npmCli)) run(process.execPath, [npmCli, "ci", "--ignore-scripts", "--include=dev", "--no-audit", "--no-fund"]);
  else run("npm", ["ci", "--ignore-scripts", "--include=dev", "--no-audit", "--no-fund"]);
}
rmSync(join(root, "dist"), { recursive: true, force: true });
run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);
await bundle();

/**
 * dist/cli.js, the program people run, is bundled with its dependencies (and the parse worker,
 * dist/parse-worker.js): Node 20 loads ES modules one by one, and loading the 90-odd files of dist/
 * and node_modules took some 70 ms of a command's 0.2 s start. Split into chunks (dist/*-HASH.js)
 * at the lazy imports, so that a command loads and parses only what it runs: one file for all
 * held some 12 MB more at the peak of `stats`. The chunks sit beside dist/cli.js, where the
 * bundled code finds parse-worker.js and package.json. The modules of dist/ stay as tsc wrote them
 * (the shim and the scripts import them). esbuild follows tsc's source maps and writes nothing on error.
 */
async function bundle() {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (e) {
    console.error(`syscage prepare: esbuild is not installed (npm ci installs it): ${e.message}`);
    process.exit(1);
  }
  const dist = join(root, "dist");
  try {
    await esbuild.build({
      entryPoints: { cli: join(dist, "cli.js"), "parse-worker": join(dist, "io", "parse-worker.js") },
      outdir: dist,
      allowOverwrite: true,
      splitting: true,
      chunkNames: "[name]-[hash]",
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: true,
      logLevel: "warning",
      // Bundled CommonJS dependencies (fast-glob) call require() for Node's own modules.
      banner: { js: 'import { createRequire as syscageRequire } from "node:module";\nconst require = syscageRequire(import.meta.url);' },
      plugins: [(await import("./lazy-string-width.mjs")).lazyStringWidth()],
    });
  } catch (e) {
    console.error(`syscage prepare: bundling dist/cli.js failed: ${e.message}`);
    process.exit(1);
  }
}
