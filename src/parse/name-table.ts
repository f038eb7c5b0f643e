/**
 * A table keyed by the characters of a name inside a longer string (a syscall name in a trace
 * line), so a lookup cuts no string out of the line and hashes no string twice: the caller hashes
 * the name with nameHashStep while it scans it, and find() compares in place. Open addressing with
 * linear probing over at most MAX_PROBE slots; it doubles at half full. The hash is not seeded, so
 * a trace could name many calls that share a slot: past MAX_PROBE slots a name goes to an ordinary
 * Map (whose hash V8 seeds), and no lookup ever probes more.
 */
export class NameTable<T> {
  private keys: string[] = new Array<string>(512).fill("");
  private values: (T | undefined)[] = new Array<T | undefined>(512).fill(undefined);
  private size = 0;
  /** Names that found no slot within MAX_PROBE of their own. */
  private readonly overflow = new Map<string, T>();

  /** The value for the name `s.slice(from, to)`, whose hash (nameHashStep over its characters) is `h`; undefined for a name in the overflow (get() finds those). */
  find(s: string, from: number, to: number, h: number): T | undefined {
    const keys = this.keys;
    const mask = keys.length - 1;
    const len = to - from;
    for (let n = 0, k = slotOf(h) & mask; n < MAX_PROBE; n++, k = (k + 1) & mask) {
      const key = keys[k]!;
      if (key === "") return undefined;
      if (key.length === len && s.startsWith(key, from)) return this.values[k];
    }
    return undefined;
  }

  get(name: string): T | undefined {
    return this.find(name, 0, name.length, nameHash(name)) ?? this.overflow.get(name);
  }

  /** Sets `name` (not empty: "" marks a free slot) to `value`. */
  set(name: string, value: T): void {
    if (name === "") throw new Error("NameTable: a name cannot be empty");
    if (this.overflow.has(name)) {
      this.overflow.set(name, value);
      return;
    }
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let n = 0, k = slotOf(nameHash(name)) & mask; n < MAX_PROBE; n++, k = (k + 1) & mask) {
      if (keys[k] === "" || keys[k] === name) {
        if (keys[k] === "") this.size++;
        keys[k] = name;
        this.values[k] = value;
        return;
      }
    }
    this.overflow.set(name, value);
  }

  /** Names in the table and in its overflow. */
  get count(): number {
    return this.size + this.overflow.size;
  }

  /** Names that found no slot near their own (a trace naming many calls that share a slot). */
  get overflowCount(): number {
    return this.overflow.size;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Array<string>(keys.length * 2).fill("");
    this.values = new Array<T | undefined>(keys.length * 2).fill(undefined);
    this.size = 0;
    for (let k = 0; k < keys.length; k++) if (keys[k] !== "") this.set(keys[k]!, values[k] as T);
  }
}

/** The hash's bits mixed (a multiply-and-shift finalizer): names alike differ in their low bits too. */
function slotOf(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x45d9f3b);
  return x ^ (x >>> 16);
}

/** Slots a lookup probes at most. */
const MAX_PROBE = 8;

/** One step of a name's hash: `h` so far, then the next character code. */
export function nameHashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/** The hash of a whole name, as a scan with nameHashStep gives it. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = nameHashStep(h, name.charCodeAt(i));
  return h;
}
