/**
 * Ids as Bakaláři has them: user ids shared by students and teachers ("UZBNM", "U  12",
 * now and then "GQ1DS"), and the short codes of classes, groups and rooms ("0C", " 42").
 */
import type { School } from "./model";
import type { Rng } from "./random";

const CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function randomCode(rng: Rng, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[rng.int(0, CODE_ALPHABET.length - 1)];
  return out;
}

/** A user id like Bakaláři's: mostly "UZBNM", a share right-aligned numbers like "U  12" or "U   4". */
export function allocateUserId(school: Pick<School, "usedUserIds">, rng: Rng): string {
  for (;;) {
    const id = rng.chance(0.2) ? "U" + String(rng.int(1, 999)).padStart(4, " ") : "U" + randomCode(rng, 4);
    if (!school.usedUserIds.has(id)) {
      school.usedUserIds.add(id);
      return id;
    }
  }
}

/**
 * A student id not shaped "U…": five characters starting with another letter, like the "GQ1DS"
 * of moduly/events.md. Drawn from the quirks stream; the id space stays shared with teachers.
 */
export function allocateOtherUserId(school: Pick<School, "usedUserIds">, rng: Rng): string {
  const letters = LETTERS.replace("U", "");
  for (;;) {
    const id = letters[rng.int(0, letters.length - 1)]! + randomCode(rng, 4);
    if (!school.usedUserIds.has(id)) {
      school.usedUserIds.add(id);
      return id;
    }
  }
}

/**
 * A two-character code for classes, groups and rooms ("0C", "XL"), or with `padded`, a
 * right-aligned number ("  7", " 42"). A crowded space widens to three characters.
 */
export function allocateCode(used: Set<string>, rng: Rng, padded = false): string {
  for (let attempt = 0; ; attempt++) {
    const wide = attempt >= 20;
    const id = padded ? String(rng.int(1, wide ? 999 : 99)).padStart(3, " ") : randomCode(rng, wide ? 3 : 2);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}
