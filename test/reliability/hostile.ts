/**
 * fast-check arbitraries of hostile input, shared by the fuzz files: wrong types, huge
 * strings, deep nesting, unicode oddities, and ids that differ only by whitespace.
 */
import fc from "fast-check";

/** Characters that break naive code: NUL, lone surrogates, BOM, bidi override, zero-width, combining, quotes. */
export const ODD_CHARS = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u202e",
  "\u200b",
  "\u0301",
  "\u00a0",
  "\t",
  "\n",
  " ",
  "|",
  "'",
  '"',
  "\\",
  "%",
  "$",
  "😀",
  "Ř",
];

/** Nested arrays or objects `depth` deep, built without recursion. */
export function nested(depth: number, kind: "array" | "object"): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : { a: value };
  return value;
}

/** The same, as JSON text: deeper than any parser should be asked to build. */
export const nestedText = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

export const oddString = fc.string({ unit: fc.constantFrom(...ODD_CHARS), maxLength: 12 });

/** Strings of every kind: ordinary, any code point, odd characters, empty, huge. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 16 }) },
  { weight: 3, arbitrary: oddString },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "  ") },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 200_000 }).map((n) => "Ž".repeat(n)) },
);

/** Values of a wrong type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
  // Deep, but not so deep that printing a counterexample overflows the test's own stack.
  fc.integer({ min: 50, max: 800 }).map((d) => nested(d, "array")),
  fc.integer({ min: 50, max: 800 }).map((d) => nested(d, "object")),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, wrongType);

/** Variants of an id that differ only by whitespace: each is a different Bakaláři id. */
export const whitespaceTwins = (base: string) => [
  base,
  ` ${base}`,
  `${base} `,
  `${base}  `,
  `\t${base}`,
  `${base}\u00a0`,
  base.replace(/^(.)/, "$1 "),
];
