/** A JSON text repeating a key within one object (src/http/json-keys.ts), however it is spelled. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repeatedKey } from "../../src/http/json-keys";

describe("repeatedKey", () => {
  it.each([
    ['{"dryRun":true,"dryRun":false}', "dryRun"],
    ['{"force":true,"\\u0066orce":false}', "force"],
    ['{ "a" : 1 , "b" : { "a" : 2 } , "a" : 3 }', "a"],
    ['[{"x":1},{"y":{"z":[1,{"q":1,"q":2}]}}]', "q"],
    ['{"":1,"":2}', ""],
    ['{"a\\"b":1,"a\\"b":2}', 'a"b'],
  ])("finds the repeated key in %s", (text, key) => {
    expect(repeatedKey(text)).toBe(key);
  });

  it.each([
    "{}",
    '{"dryRun":true,"force":false}',
    '{"a":{"a":{"a":1}}}', // the same key in different objects
    '[{"a":1},{"a":2}]',
    '{"a":"\\"a\\":1,","b":"}{[,"}',
    '"a"',
    "not json",
    '{"a":1,"a":', // malformed: the validator says so
  ])("finds none in %s", (text) => {
    expect(repeatedKey(text)).toBeNull();
  });

  it("agrees with the documents' own keys, on 1,000 random documents", () => {
    // Each document is built from pairs whose keys are known decoded, so the answer is known.
    type Doc = { text: string; repeat: boolean };
    const spelled: [string, string][] = [
      ["a", "a"],
      ["\\u0061", "a"],
      ["b", "b"],
      ["dryRun", "dryRun"],
      ['x\\"y', 'x"y'],
    ];
    const scalar = fc.constantFrom<Doc>(
      { text: "1", repeat: false },
      { text: '"a\\":1,"', repeat: false },
      { text: '"}{"', repeat: false },
    );
    const { value } = fc.letrec<{ value: Doc; object: Doc; array: Doc }>((tie) => ({
      value: fc.oneof({ depthSize: "small" }, scalar, tie("object"), tie("array")),
      object: fc.array(fc.tuple(fc.constantFrom(...spelled), tie("value")), { maxLength: 4 }).map((pairs) => ({
        text: `{${pairs.map(([[k], v]) => `"${k}":${v.text}`).join(",")}}`,
        repeat: new Set(pairs.map(([[, decoded]]) => decoded)).size < pairs.length || pairs.some(([, v]) => v.repeat),
      })),
      array: fc
        .array(tie("value"), { maxLength: 3 })
        .map((items) => ({ text: `[${items.map((d) => d.text).join(",")}]`, repeat: items.some((d) => d.repeat) })),
    }));
    fc.assert(
      fc.property(value, (doc) => {
        JSON.parse(doc.text); // every generated document is JSON
        expect(repeatedKey(doc.text) !== null).toBe(doc.repeat);
      }),
      { numRuns: 1_000 },
    );
  });
});
