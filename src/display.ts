/**
 * Showing text from Bakaláři (ids, and messages that quote them) to a person, on the
 * dashboard and in the CLIs. Stored values stay byte for byte; only what is shown changes.
 *
 * A bidi override (U+202E) can make "U52" read as "U25", a zero-width space makes two ids
 * look alike, and a terminal obeys the escape sequences in a C0 or C1 control. So control
 * and format characters are shown as visible escapes ("\u202E"), and ids are shown so that
 * two different ids never look the same: every space as "·", every other invisible or
 * combining character escaped, and a backslash (or a real "·") escaped too, so that an
 * escape can never be mistaken for id text.
 *
 * The dashboard's script imports both (src/http/dashboard/client/), so this module stays
 * free of Worker-only code: it is bundled for the browser too.
 */

/** A message or any other text: control, format and invisible characters as escapes. */
export function displayText(text: string): string {
  return String(text).replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]|[^\S ]/gu, (ch) => {
    const cp = ch.codePointAt(0)!;
    const hex = cp.toString(16).toUpperCase();
    return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
  });
}

/**
 * An id: as displayText, and besides every space as "·", combining marks, variation
 * selectors and unassigned code points escaped, and "\" and "·" escaped, so that the shown
 * text maps back to exactly one id ("U  25", "U 25" and "U  25\u200B" stay three).
 */
export function displayId(id: string): string {
  return String(id).replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{Mn}\p{Me}\\\u00B7]/gu, (ch) => {
    if (ch === " ") return "\u00B7";
    if (ch === "\\") return "\\\\";
    const cp = ch.codePointAt(0)!;
    const hex = cp.toString(16).toUpperCase();
    return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
  });
}
