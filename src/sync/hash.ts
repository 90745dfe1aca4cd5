/**
 * A fast, deterministic content hash of the fields a record writes, to tell an
 * unchanged record from a changed one without reading the row. Two independent
 * 32-bit mixes give 64 bits: plenty to notice that one record's fields changed.
 * Not a security hash.
 */
export function contentHash(fields: readonly (string | null)[]): string {
  let h1 = 0x811c9dc5 ^ fields.length;
  let h2 = 0x9e3779b9;
  for (const field of fields) {
    const text = field === null ? "\u0000null" : field;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    // A separator that no string contains, so ["ab", "c"] and ["a", "bc"] differ.
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
    h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995) ^ (text.length * 0x27d4eb2d);
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 ^= h2 >>> 16;
  h2 = Math.imul(h2, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}
