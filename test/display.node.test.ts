/**
 * Showing ids and messages to a person (src/display.ts): control and format characters as
 * visible escapes, and ids shown so that two different ids never look the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayId, displayText } from "../src/display";

/** Characters that change how text looks or what a terminal does, without being seen. */
const INVISIBLE = [
  ..."\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", // bidi embeddings, overrides, isolates
  ..."\u200b\u200c\u200d\u200e\u200f\ufeff\u2060\u00ad\u061c", // zero-width, marks, BOM, soft hyphen
  ..."\u0000\u0007\u0008\u001b\u007f\u0085\u009b", // C0 and C1 controls (ESC, CSI)
  ..."\u2028\u2029\u00a0\u3000",
];

describe("displayText (messages)", () => {
  it.each(INVISIBLE.map((ch) => [ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0"), ch]))(
    "shows U+%s as a visible escape",
    (hex, ch) => {
      expect(displayText(`a${ch}b`)).toBe(`a\\u${hex}b`);
    },
  );

  it("leaves readable text as it is: letters with diacritics, emoji, spaces, quotes", () => {
    const text = 'Ženíšek "Bobby" O\'Brien 😀 a  b \\ tables';
    expect(displayText(text)).toBe(text);
  });

  it("escapes a lone surrogate and an astral format character", () => {
    expect(displayText("x\ud800y")).toBe("x\\uD800y");
    expect(displayText("tag\u{e0041}")).toBe("tag\\u{E0041}");
  });

  it("never lets a terminal escape or a bidi control through, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(displayText(text)).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
      }),
      { numRuns: 500 },
    );
  });
});

describe("displayId (ids)", () => {
  it('tells "U  25", "U 25" and "U  25\\u200b" apart, showing every space', () => {
    const shown = ["U  25", "U 25", "U  25\u200b", " U 25", "U 25 "].map(displayId);
    expect(shown).toEqual(["U··25", "U·25", "U··25\\u200B", "·U·25", "U·25·"]);
    expect(new Set(shown).size).toBe(shown.length);
  });

  it("shows a bidi override as its escape, so U\\u202E52 never reads as U25", () => {
    expect(displayId("U\u202e52")).toBe("U\\u202E52");
  });

  it("escapes what could be mistaken for an escape or a space: a backslash and a real ·", () => {
    expect(displayId("U\\u202E52")).toBe("U\\\\u202E52");
    expect(displayId("a·b")).toBe("a\\u00B7b");
    expect(displayId("e\u0301")).toBe("e\\u0301"); // a combining accent is not "é"
    expect(displayId("GQ1DS")).toBe("GQ1DS");
  });

  it("shows two different ids differently (4,000 pairs of near-twins)", () => {
    const near = fc
      .array(fc.constantFrom("U", "2", "5", " ", "\u00a0", "\u200b", "\u202e", "\\", "·", "\u0301", "u", "0", "E", "{", "}"), {
        maxLength: 8,
      })
      .map((a) => a.join(""));
    fc.assert(
      fc.property(near, near, (a, b) => {
        if (a !== b) expect(displayId(a)).not.toBe(displayId(b));
        expect(displayId(a)).not.toMatch(/[\p{Cc}\p{Cf}\p{Z}]/u);
      }),
      { numRuns: 4_000 },
    );
  });

  it("keeps its source self-contained, as the dashboard carries it by its text", () => {
    for (const fn of [displayId, displayText]) {
      // The page evaluates the source on its own: it must work with nothing around it.
      const copy = new Function(`return (${fn.toString()});`)() as (s: string) => string;
      expect(copy("U\u202e 5")).toBe(fn("U\u202e 5"));
    }
  });
});
