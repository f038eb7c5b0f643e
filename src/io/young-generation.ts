// V8 starts a process with a young generation of 1 MiB semi-spaces and doubles it, up to 16 MiB,
// each time a scavenge finds enough survivors. Parsing a trace keeps many young objects alive at
// first (each new path, process and cache entry), and on the way up from 1 MiB the small young
// generation is scavenged again and again, promoting what would have died: in the first 5 MiB of
// the bench's samples, 13 collections and 19 ms of pauses. Growing 16-fold at once reaches the
// same ceiling in one step (4 collections, 6 ms there). The ceiling, and so peak memory, is
// unchanged. generate's parse and tracking of the bench's 128 MiB inputs, in one process, fastest
// and median of 8 interleaved runs: samples 943/978 to 898/950 ms, mix 1068/1135 to 1028/1089 ms;
// the whole `generate` command, median of 10: 1120 to 1090 ms and 1293 to 1273 ms. Only generate
// asks for it: `stats`, whose objects die young, gained no speed and held 15-18 MiB more at the
// peak (its young generation no longer stayed small).
import { setFlagsFromString } from "node:v8";

/** How many times larger the young generation grows at once (V8's default: 2). */
const GROWTH = 16;

/**
 * Lets the young generation grow to its ceiling at once (a flag V8 reads at each collection, so
 * setting it at run time takes effect; every thread of the process shares it).
 */
export function growYoungGenerationAtOnce(): void {
  setFlagsFromString(`--semi-space-growth-factor=${GROWTH}`);
}
