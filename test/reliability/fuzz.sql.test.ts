/**
 * Every string that reaches SQL stays data: random schools whose ids and names are made
 * of quotes, backslashes, comment markers, placeholders, injection attempts, huge text
 * and odd (storable) unicode go through the real engine, and come back byte for byte.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect } from "vitest";
import { arrayLiteral } from "../../src/db/batch";
import { test as it } from "../support/fixtures";
import { activeView, expectedView, refIntegrity } from "../support/inspect";
import { rosterOf, type School } from "../support/roster";
import { expectStatus } from "../support/sync";
import { hostileString, whitespaceTwins } from "./hostile";

export const RUNS = { schools: 100 };

const INJECTIONS = [
  "'); drop table users; --",
  "'; truncate external_refs; --",
  "' or '1'='1",
  '"; select pg_sleep(10); --',
  "$1",
  "$$",
  "$tag$ x $tag$",
  "\\",
  "\\'",
  "''",
  "E'\\x00'",
  "%s %d %%",
  "?",
  ":name",
  "/* comment",
  "*/",
  "--",
  "\u2028\u2029",
  '{"a":1}',
  "{1,2}",
  "NULL",
  "null",
  "|",
];

/** Text Postgres can hold as it is: the engine's input (the source refuses anything else). */
const storable = (s: string) => s.replace(/\u0000|\p{Cs}/gu, "\ufffd");
const text = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  hostileString.map(storable),
  fc.tuple(fc.constantFrom(...INJECTIONS), hostileString.map(storable)).map(([a, b]) => a + b),
);
/** Cut to a length, never through a surrogate pair (half a pair is not storable text). */
const cut = (s: string, length: number) => storable(s.slice(0, length));
/**
 * Ids: the same, short, never empty; a prefix keeps teachers and students in their own id
 * spaces. Never a "|", as the source refuses (src/bakalari/schemas.ts): it joins an
 * enrollment's ids, and the planner reads them back from its key.
 */
const id = (prefix: string) => text.map((s) => `${prefix}${cut(s, 60).replaceAll("|", "/")}`);

const school: fc.Arbitrary<School> = fc
  .record({
    classes: fc.uniqueArray(fc.record({ id: id("C"), abbrev: text.map((s) => cut(s, 40) || "A"), name: text }), {
      minLength: 1,
      maxLength: 3,
      selector: (c) => c.id,
    }),
    subjects: fc.uniqueArray(fc.record({ id: id("S"), abbrev: text.map((s) => cut(s, 40) || "P"), name: text }), {
      minLength: 1,
      maxLength: 3,
      selector: (s) => s.id,
    }),
    teachers: fc.uniqueArray(fc.record({ id: id("T"), abbrev: text.map((s) => cut(s, 40) || "T"), name: text }), {
      minLength: 1,
      maxLength: 2,
      selector: (t) => t.id,
    }),
    students: fc.uniqueArray(fc.record({ id: id("U"), name: text, pick: fc.nat() }), { minLength: 1, maxLength: 5, selector: (s) => s.id }),
  })
  .map(({ classes, subjects, teachers, students }) => {
    // Every student gets whitespace twins: the same id padded, each a different pupil.
    const twins = students.flatMap((s) => whitespaceTwins(s.id).map((twin, i) => ({ ...s, id: twin, name: `${s.name}#${i}` })));
    const unique = [...new Map(twins.map((s) => [s.id, s])).values()];
    return {
      classes,
      subjects,
      teachers,
      students: unique.map((s) => ({ id: s.id, name: s.name, classId: classes[s.pick % classes.length]!.id })),
      teaching: classes.flatMap((c, i) =>
        subjects.map((s) => ({ classId: c.id, subjectId: s.id, teacherId: teachers[i % teachers.length]!.id })),
      ),
    };
  });

const hex = (value: string) => Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, "0")).join("");

describe("strings that reach SQL stay data", { timeout: 120_000 }, () => {
  it(`stores ${RUNS.schools} hostile schools byte for byte, one after another, every table intact`, async ({ db, engine: e }) => {
    await fc.assert(
      fc.asyncProperty(school, async (s) => {
        const roster = rosterOf(s);
        expectStatus(await e.run(roster, { force: true }), "ok");
        expect(await activeView(db)).toEqual(expectedView(roster));
        expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });

        // Byte for byte as Postgres holds them, not only as the driver decodes them.
        const ids = [...s.classes, ...s.subjects, ...s.teachers, ...s.students].map((r) => r.id);
        const stored = (
          await db.db.execute(sql`
          select encode(convert_to(external_id, 'UTF8'), 'hex') as h from external_refs
           where type in ('class', 'subject', 'user') and external_id = any(${sql.param(ids)}::text[])`)
        ).rows as { h: string }[];
        expect(new Set(stored.map((r) => r.h))).toEqual(new Set(ids.map(hex)));

        // Every table is still there, and no statement ran but the engine's own.
        const tables = (
          await db.db.execute(sql`
          select count(*)::int as n from information_schema.tables
           where table_schema = 'public' and table_name in ('classes', 'subjects', 'users', 'enrollments', 'external_refs', 'sync_runs', 'operator_tokens')`)
        ).rows;
        expect(tables).toEqual([{ n: 7 }]);
      }),
      { numRuns: RUNS.schools },
    );
  });

  it("sends a column as one array literal that Postgres reads back value for value, or as an array where JSON would not do", async ({
    db,
  }) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text.map(storable), { nil: null }), { maxLength: 20 }), async (values) => {
        const sent = arrayLiteral(values);
        const back = await db.db.execute<{ v: string | null }>(sql`select unnest(${sql.param(sent)}::text[]) as v`);
        expect(back.rows.map((r) => r.v)).toEqual(values);
      }),
      { numRuns: 200 },
    );
    // Control characters travel the driver's way; everything else as one literal.
    expect(arrayLiteral(["a\tb", "\t"])).toEqual(["a\tb", "\t"]);
    expect(arrayLiteral(['"quoted"', "back\\slash", "null", "{1,2}", null])).toBe('{"\\"quoted\\"","back\\\\slash","null","{1,2}",null}');
  });
});
