#!/usr/bin/env node
import { startEarly } from "./io/workers.js";

// A big input's parse worker loads while this thread loads the rest of syscage (io/workers.ts).
startEarly(process.argv.slice(2));
const { main } = await import("./cli/main.js");
await main();
