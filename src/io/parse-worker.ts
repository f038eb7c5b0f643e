// Worker thread: parses the runs the main thread sends, one at a time, and posts back the results;
// or, told of a split parse (parse-split.ts), parses parts of one big file until told to stop.
import { type MessagePort, parentPort, receiveMessageOnPort } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import { HeapGuard } from "./heap-guard.js";
import type { InputRun } from "./inputs.js";
import { type PartAnswer, PartClaims, type PostedPart, type SplitSetup } from "./part-claims.js";
import { parsePart } from "./parse-part.js";
import { parseRun } from "./parse-run.js";

/** Each part's parser leaves its processes' states behind: collected in time (heap-guard.ts). */
const guard = new HeapGuard();

parentPort!.on("message", (m: { run: InputRun; arch: Arch; observe: boolean } | { split: SplitSetup }) => {
  if ("split" in m) {
    parseParts(m.split);
    return;
  }
  parseRun(m.run, { arch: m.arch, observe: m.observe }).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: String((e as Error)?.message ?? e), stack: (e as Error)?.stack }),
  );
});

/**
 * The parts of one split parse: synchronous, without the event loop between parts. Takes the part
 * read furthest ahead that no thread has claimed (see part-claims.ts), parses it, answers on the
 * split's port; waits in shared memory when there is none; returns once the main thread stops it.
 */
function parseParts(setup: SplitSetup): void {
  const { port, source, display, arch, observe } = setup;
  const claims = new PartClaims(setup.shared);
  /** Parts posted and not taken yet, in file order (the main thread claims from the front, this one from the back). */
  const posted: PostedPart[] = [];
  for (;;) {
    // Read the count before looking: a part posted after the look changes it, and the wait returns at once.
    const seen = claims.postedCount();
    drain(port, posted);
    if (claims.stopped()) break;
    let part = posted.pop();
    while (part !== undefined && !claims.claim(part.index, "worker")) part = posted.pop();
    if (part === undefined) {
      claims.waitPosted(seen);
      continue;
    }
    // The main thread took the oldest ones meanwhile: forget them.
    let taken = 0;
    while (taken < posted.length && !claims.waiting(posted[taken]!.index)) taken++;
    posted.splice(0, taken);
    let answer: PartAnswer;
    const transfer: ArrayBuffer[] = [];
    try {
      const reply = parsePart({ source, display, arch, observe, bytes: new Uint8Array(part.buffer, 0, part.length) });
      guard.read(part.length);
      const ev = reply.events;
      if (ev) transfer.push(ev.nums.buffer as ArrayBuffer, ev.chunkTexts.buffer as ArrayBuffer, ev.textEnds.buffer as ArrayBuffer);
      answer = { index: part.index, ok: true, reply };
    } catch (e) {
      answer = { index: part.index, ok: false, error: String((e as Error)?.stack ?? e) };
    }
    port.postMessage(answer, transfer);
    claims.replied();
  }
  port.close();
}

function drain(port: MessagePort, into: PostedPart[]): void {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) into.push(m.message as PostedPart);
}
