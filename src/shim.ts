#!/usr/bin/env node
// syscage-runtime-shim: an OCI runtime (runc's command line) that records containers; see io/runtime-shim.ts.
import { shimMain } from "./io/runtime-shim.js";

process.exitCode = await shimMain(process.argv.slice(2));
