/**
 * Hostile Bakaláři payloads as pure functions: the payload parsers and the assembly never
 * crash (a BakalariError or warnings, never a TypeError), keep ids byte for byte, keep
 * whitespace twins apart, and hand on only text Postgres stores as it is. End to end, through
 * the Worker and the fake school: fuzz.payloads.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BakalariError, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { isStorableText, MAX_ID_LENGTH, parseAbsenceList, parseClassbook, parseLogin, parseTimetable } from "../../src/bakalari/schemas";
import { absences, classbook, timetable } from "../bakalari/fixtures";
import { assemblePayloads, type Payloads } from "../support/assemble";
import { hostileValue, nestedText, whitespaceTwins } from "./hostile";

// Payloads are edited field by field; any is the honest type here.
type Json = Record<string, any>;

const RUNS = { mutations: 400, twins: 100, bodies: 300 };

/** Parses and assembles as the source does, without I/O. Throws only what the source would throw. */
const assemble = (p: Payloads) => assemblePayloads(p);

/** Every path to a value inside a JSON document. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  } else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

type Mutation = { pick: number; kind: "replace" | "duplicate" | "twin"; value: unknown };

/** Applies a mutation to a copy: replaces a value, duplicates a list entry (altered), or gives an id a whitespace twin. */
function mutate(doc: unknown, m: Mutation): unknown {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  const path = all[m.pick % all.length]!;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy);
  const key = path.at(-1)!;
  const value = parent[key];
  if (m.kind === "replace") parent[key] = m.value;
  else if (Array.isArray(parent) && m.kind === "duplicate")
    parent.push(typeof value === "object" && value ? { ...value, Name: m.value } : value);
  else if (typeof value === "string") parent[key] = whitespaceTwins(value || "x")[1 + (m.pick % 6)];
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom("replace", "replace", "duplicate", "twin"),
  value: hostileValue,
});

/** Every string anywhere in a document. */
function strings(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) strings(v, out.add(k));
  return out;
}

function expectSafeRoster(roster: Roster, warnings: RosterWarning[], input: unknown): void {
  const seen = strings(input);
  const ids = [
    ...roster.classes.map((c) => c.id),
    ...roster.subjects.map((s) => s.id),
    ...roster.teachers.map((t) => t.id),
    ...roster.students.map((s) => s.id),
    ...roster.groups.map((g) => g.id),
  ];
  for (const id of ids) {
    // Byte for byte: every id is one the payload holds, unchanged, and storable.
    expect(seen.has(id)).toBe(true);
    expect(id).not.toContain("|");
    expect(id.length).toBeGreaterThan(0);
    expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
  }
  for (const list of [roster.classes, roster.subjects, roster.teachers, roster.students]) {
    expect(new Set(list.map((r) => r.id)).size).toBe(list.length);
  }
  const texts = [
    ...ids,
    ...[...roster.classes, ...roster.subjects, ...roster.teachers, ...roster.students].flatMap((r) => [r.name ?? "", r.abbrev ?? ""]),
  ];
  for (const text of texts) expect(isStorableText(text)).toBe(true);
  for (const w of warnings)
    if (w.externalId !== undefined) expect(isStorableText(w.externalId) && w.externalId.length <= MAX_ID_LENGTH).toBe(true);
}

/** Runs fn; a BakalariError is an answer, anything else (TypeError, RangeError…) a crash. */
function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: BakalariError } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof BakalariError) return { ok: false, error: e };
    throw e;
  }
}

describe("Bakaláři payloads as pure functions", { timeout: 60_000 }, () => {
  const base = (): Payloads => ({ tt: timetable(), cb: classbook(), abs: absences() });

  it(`survives ${RUNS.mutations} mutated schools: wrong types, huge strings, deep nesting, unicode oddities, duplicates, twins`, () => {
    fc.assert(
      fc.property(fc.constantFrom("tt", "cb", "abs"), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const p = base();
        for (const m of mutations) (p as Record<string, unknown>)[which] = mutate(p[which], m);
        const result = outcome(() => assemble(p));
        if (result.ok) expectSafeRoster(result.value.roster, result.value.warnings, p);
        else expect(["BAKALARI_PAYLOAD", "BAKALARI_EMPTY_FEED", "BAKALARI_UNAVAILABLE"]).toContain(result.error.code);
      }),
      { numRuns: RUNS.mutations },
    );
  });

  it(`keeps ids that differ only by whitespace apart (${RUNS.twins} schools)`, () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z0-9]{2,5}$/), { minLength: 1, maxLength: 4 }), (bases) => {
        const classIds = bases.flatMap(whitespaceTwins);
        const tt = timetable() as Json;
        tt.Classes = [...tt.Classes, ...classIds.map((Id) => ({ Id, Abbrev: Id, Name: "" }))];
        // A group per twin class, with one student whose id is the class id's twin too.
        tt.Groups = [...tt.Groups, ...classIds.map((Id) => ({ ClassId: Id, Id: `G${Id}`, Abbrev: "g", Name: "g" }))];
        tt.Days[0].Atoms.push({
          HourId: 9,
          GroupIds: classIds.map((Id) => `G${Id}`),
          SubjectId: "7",
          TeacherId: "T1",
          RoomId: "R1",
          CycleIds: [],
          Change: null,
        });
        const cb = classbook() as Json;
        cb.Days[1].Hours.push({ Id: 9, LessonId: "LT", Groups: classIds.map((Id) => ({ ClassId: Id, Id: `G${Id}` })) });
        const abs = absences();
        abs.LT = {
          AbsencesGroups: classIds.map((Id) => ({
            Group: { ClassId: Id, Id: `G${Id}` },
            StudentsAbsences: [{ Student: { Id: `S${Id}`, Abbrev: "s", Name: "" } }],
          })),
        };
        const { roster } = assemble({ tt, cb, abs });
        const got = new Set(roster.classes.map((c) => c.id));
        for (const id of classIds) expect(got.has(id)).toBe(true);
        const students = new Map(roster.students.map((s) => [s.id, s.classId]));
        for (const id of classIds) expect(students.get(`S${id}`)).toBe(id);
      }),
      { numRuns: RUNS.twins },
    );
  });

  it(`answers any body with a value or BAKALARI_PAYLOAD (${RUNS.bodies} bodies per parser)`, () => {
    const real = [timetable(), classbook(), absences().L1].map((d) => JSON.stringify(d));
    const body = fc.oneof(
      fc.string({ unit: "binary", maxLength: 64 }),
      fc.json({ maxDepth: 4 }),
      fc.tuple(fc.constantFrom(...real), fc.nat()).map(([text, n]) => text.slice(0, n % text.length)), // truncated
      fc.integer({ min: 1_000, max: 200_000 }).map(nestedText), // deep nesting
      fc.constantFrom("", "null", "\u0000", "\ufeff{}", '{"Classes":', "[]", '"\\ud800"'),
    );
    const parsers = [parseTimetable, parseClassbook, parseAbsenceList, parseLogin];
    fc.assert(
      fc.property(body, (text) => {
        for (const parse of parsers) {
          const result = outcome(() => parse(text, "GET /api/3/any"));
          if (!result.ok) expect(result.error.code).toBe("BAKALARI_PAYLOAD");
        }
      }),
      { numRuns: RUNS.bodies },
    );
  });

  it.each([
    ["a NUL in a class name", (p: Payloads): void => void ((p.tt as Json).Classes[0].Name = "1.A\u0000")],
    ["a lone surrogate in a subject id", (p: Payloads): void => void ((p.tt as Json).Subjects[1].Id = "U 12\ud800")],
    [
      "a student id of 5,000 characters",
      (p: Payloads): void => void ((p.abs.L3 as Json).AbsencesGroups[0].StudentsAbsences[1].Student.Id = "S".repeat(5_000)),
    ],
    ["a subject id holding the enrollment separator |", (p: Payloads): void => void ((p.tt as Json).Subjects[1].Id = "M|1")],
  ] as const)("drops a record holding text Postgres cannot keep as it is (%s), with a warning", (_name, spoil) => {
    const p = { tt: timetable(), cb: classbook(), abs: absences() };
    spoil(p);
    const { roster, warnings } = assemble(p);
    expectSafeRoster(roster, warnings, p);
    expect(warnings.map((w) => w.code)).toContain("BAKALARI_RECORD_INVALID");
  });
});
