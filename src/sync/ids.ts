/**
 * Random (version 4) UUIDs for new rows, made in bulk: a first sync needs one per
 * record (about 58,000 for a large school), and one crypto.randomUUID() call each
 * costs more than the rest of planning. Same randomness source, fewer calls.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const BATCH = 4096; // 64 KiB of randomness: the most one getRandomValues call gives

export function uuidFactory(): () => string {
  const bytes = new Uint8Array(BATCH * 16);
  let next = BATCH;
  return () => {
    if (next === BATCH) {
      crypto.getRandomValues(bytes);
      next = 0;
    }
    const o = next++ * 16;
    const b = (i: number) => HEX[bytes[o + i]!]!;
    const version = HEX[(bytes[o + 6]! & 0x0f) | 0x40]!;
    const variant = HEX[(bytes[o + 8]! & 0x3f) | 0x80]!;
    const id = `${b(0)}${b(1)}${b(2)}${b(3)}-${b(4)}${b(5)}-${version}${b(7)}-${variant}${b(9)}-${b(10)}${b(11)}${b(12)}${b(13)}${b(14)}${b(15)}`;
    // A template literal of 20 parts stays a tree of about 17 joined strings (about 470 bytes)
    // until something flattens it: 57,731 of them on a large first sync. Reading a character
    // flattens it in place: 56 bytes each.
    id.charCodeAt(0);
    return id;
  };
}
