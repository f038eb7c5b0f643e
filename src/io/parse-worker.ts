// Worker thread: parses the runs the main thread sends, one at a time, and posts back the results.
import { parentPort } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import { HeapGuard } from "./heap-guard.js";
import type { InputRun } from "./inputs.js";
import { parsePart, type PartTask } from "./parse-part.js";
import { parseRun } from "./parse-run.js";

/** Each part's parser leaves its processes' states behind: collected in time (heap-guard.ts). */
const guard = new HeapGuard();

parentPort!.on("message", (m: { run: InputRun; arch: Arch; observe: boolean } | { part: PartTask }) => {
  if ("part" in m) {
    // One part of a big file (parse-split.ts): synchronous, nothing else to wait for.
    try {
      const result = { ...parsePart(m.part), buffer: m.part.bytes.buffer as ArrayBuffer };
      guard.read(m.part.bytes.byteLength);
      parentPort!.postMessage({ ok: true, result }, [
        result.buffer,
        ...(result.events
          ? [result.events.nums.buffer as ArrayBuffer, result.events.chunkTexts.buffer as ArrayBuffer, result.events.textEnds.buffer as ArrayBuffer]
          : []),
      ]);
    } catch (e) {
      parentPort!.postMessage({ ok: false, error: String((e as Error)?.message ?? e), stack: (e as Error)?.stack });
    }
    return;
  }
  parseRun(m.run, { arch: m.arch, observe: m.observe }).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: String((e as Error)?.message ?? e), stack: (e as Error)?.stack }),
  );
});
