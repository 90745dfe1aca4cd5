/**
 * Hostile Bakaláři payloads. First as pure functions: the payload parsers and the
 * assembly never crash (a BakalariError or warnings, never a TypeError), keep ids byte
 * for byte, keep whitespace twins apart, and hand on only text Postgres stores as it is.
 * Then end to end: payloads the fake breaks (malformed, truncated, wrong shape) and
 * hostile records slipped into its real answers; a rejected payload writes nothing,
 * and one bad record never blocks the school's sync.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { FaultRule } from "../../dev/fake-bakalari/control";
import { BakalariError, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { isStorableText, MAX_ID_LENGTH, parseAbsenceList, parseClassbook, parseLogin, parseTimetable } from "../../src/bakalari/schemas";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { parseConfig, type Bindings } from "../../src/config";
import type { Database } from "../../src/db/client";
import { runSync, type SyncOutcome } from "../../src/sync/engine";
import { absences, classbook, timetable } from "../bakalari/fixtures";
import { assemblePayloads, type Payloads } from "../support/assemble";
import { useTestDatabase } from "../support/database";
import { refIntegrity, rowVersions } from "../support/inspect";
import { testBindings } from "../support/worker";
import { expectConverged, fake, postSync, TOKEN_KEY, type Json } from "./harness";
import { hostileString, hostileValue, nestedText, whitespaceTwins } from "./hostile";

export const RUNS = { mutations: 400, twins: 100, bodies: 300 };

/** Parses and assembles as the source does, without I/O. Throws only what the source would throw. */
const assemble = (p: Payloads) => assemblePayloads(p);

/** Every path to a value inside a JSON document. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
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

describe("Bakaláři payloads end to end", { timeout: 60_000 }, () => {
  const t = useTestDatabase("file");
  let db: Database;
  let env: Bindings;

  beforeAll(async () => {
    db = t.database;
    env = testBindings({ DATABASE_URL: t.url, BAKALARI_TOKEN_KEY: TOKEN_KEY });
    await fake.reset({ size: "small", seed: 14 });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect((await postSync(env)).status).toBe(200);
  });
  afterEach(async () => {
    await fake.clearFaults();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
  });

  // What each broken answer leads to. Every absence list broken: no roster read at all.
  // A truncated roster drops half the school: held. A truncated timetable lists half the
  // classes while the class book shows them all, so it is not taken for the whole school
  // and nothing it lacks is deactivated. A truncated login answer is the same answer (it
  // has no lists), a truncated class book leaves groups without a lesson (exempt): all
  // three end ok with nothing to write.
  const outcomes = {
    login: { path: "^/api/login$", malformed: "502 BAKALARI_PAYLOAD", truncated: "200 ok", wrongShape: "502 BAKALARI_PAYLOAD" },
    timetable: { path: "^/api/3/timetable/", malformed: "502 BAKALARI_PAYLOAD", truncated: "200 ok", wrongShape: "502 BAKALARI_PAYLOAD" },
    classbook: { path: "^/api/3/classbook", malformed: "502 BAKALARI_PAYLOAD", truncated: "200 ok", wrongShape: "502 BAKALARI_PAYLOAD" },
    "absence lists": {
      path: "^/api/3/lesson/",
      malformed: "502 BAKALARI_UNAVAILABLE",
      truncated: "422 SAFETY_HOLD",
      wrongShape: "502 BAKALARI_UNAVAILABLE",
    },
  };
  const cases = Object.entries(outcomes).flatMap(([name, o]) =>
    (["malformed", "truncated", "wrongShape"] as const).map((kind) => [name, kind, o[kind], { path: o.path, kind } as FaultRule] as const),
  );

  it.each(cases)("%s answered %s: %s, and nothing is written", async (name, _kind, outcome, rule) => {
    // No cached pair: the run must log in with the password, and meets the broken answer.
    if (name === "login") await db.db.execute(sql`delete from bakalari_sessions`);
    const before = await rowVersions(db);
    await fake.setFaults([rule]);
    const answer = await postSync(env);
    await fake.clearFaults();
    expect(`${answer.status} ${answer.body.code ?? answer.body.status}`).toBe(outcome);
    if (answer.status === 200)
      for (const c of Object.values(answer.body.counts) as Json[]) expect(c.created + c.updated + c.deactivated + c.reactivated).toBe(0);
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
  });

  /**
   * The real engine and source, with each answer of the fake rewritten by `spoil` on its
   * way in: hostile records inside otherwise real payloads.
   */
  async function runWith(spoil: (path: string, body: Json) => void, request: { force?: boolean } = {}): Promise<SyncOutcome> {
    const config = parseConfig(env);
    const rewriting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      const path = new URL(String(input)).pathname;
      if (res.status !== 200 || path === "/api/login") return res;
      const body = (await res.json()) as Json;
      spoil(path, body);
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    return runSync(
      { config, log: () => undefined, source: (sourceDb) => bakalariSourceFor(config, sourceDb, { fetch: rewriting }) },
      { trigger: "manual", ...request },
    );
  }

  const hostileStudents = [
    { Id: "U'); drop table users; --", Name: "Robert'); DROP TABLE users; --" },
    { Id: "U$1", Name: "$1 $2 %s %d \\x00 \\\\" },
    { Id: 'U "q"', Name: 'O\'Brien "Bobby" \\ Tables' },
    { Id: "U😀", Name: "Ženíšek 😀 \u202eevil\u202c \u200b\u0301" },
    { Id: "UXY", Name: "Twin one" },
    { Id: "UXY ", Name: "Twin two" },
    { Id: " UXY", Name: "Twin three" },
    { Id: "UXY\u00a0", Name: "Twin four" },
    { Id: "UHUGE", Name: "Ř".repeat(200_000) },
    { Id: "UNUL", Name: "Nul\u0000Name" }, // dropped: a text column cannot hold NUL
  ];
  const storable = hostileStudents.filter((s) => isStorableText(s.Name));
  const hex = (text: string) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");

  it("stores hostile records byte for byte, drops an unstorable one with a warning, and stays idempotent", async () => {
    await expectConverged(db);
    // The hostile students join the first group of every absence list the run reads.
    const spoil = (path: string, body: Json) => {
      const first = path.startsWith("/api/3/lesson/") ? body.AbsencesGroups?.[0] : undefined;
      if (first) for (const s of hostileStudents) first.StudentsAbsences.push({ Student: { ...s, Abbrev: "x" }, Absences: [] });
    };
    const first = await runWith(spoil);
    expect(first.status, JSON.stringify(first).slice(0, 500)).toBe("ok");
    expect((first as { counts: Json }).counts.users.created + (first as { counts: Json }).counts.users.reactivated).toBe(storable.length);
    const invalid = (first as { warnings: RosterWarning[] }).warnings.filter((w) => w.code === "BAKALARI_RECORD_INVALID");
    expect(new Set(invalid.map((w) => w.externalId))).toEqual(new Set(["UNUL"]));

    const stored = (
      await db.db.execute(sql`
      select r.external_id, encode(convert_to(r.external_id, 'UTF8'), 'hex') as id_hex, u.name
        from external_refs r join users u on u.id::text = r.internal_id
       where r.type = 'user' and u.active and r.external_id = any(${sql.param(hostileStudents.map((s) => s.Id))}::text[])`)
    ).rows as { external_id: string; id_hex: string; name: string }[];
    expect(new Map(stored.map((r) => [r.external_id, r.name]))).toEqual(new Map(storable.map((s) => [s.Id, s.Name])));
    for (const r of stored) expect(r.id_hex).toBe(hex(r.external_id));
    expect(((await db.db.execute(sql`select count(*)::int as n from users`)).rows[0] as { n: number }).n).toBeGreaterThan(200); // the table is still there

    // The same payload again: nothing to write, and no run fails on the record it dropped.
    const before = await rowVersions(db);
    const second = await runWith(spoil);
    expect(second.status).toBe("ok");
    expect(await rowVersions(db)).toBe(before);

    // Back to the true school: the hostile students leave with many enrollments, which the
    // guard holds for review; applied with force, they are deactivated and nothing else moves.
    expect((await postSync(env)).status).toBe(422);
    const back = await postSync(env, { force: true });
    expect(back.status).toBe(200);
    expect(back.body.counts.users.deactivated).toBe(storable.length);
    await expectConverged(db);
  });

  it.each([
    ["a lone surrogate", "U\ud800"],
    ["a NUL", "U\u0000"],
    [`${MAX_ID_LENGTH + 1} characters`, "U".repeat(MAX_ID_LENGTH + 1)],
  ])("a student id holding %s fails its group's roster (its class exempt), never the run, run after run", async (_name, badId) => {
    await expectConverged(db);
    let spoiled: string | null = null;
    const spoil = (path: string, body: Json) => {
      if (!path.startsWith("/api/3/lesson/") || (spoiled !== null && spoiled !== path)) return;
      spoiled = path; // one list only, the same one in every run
      body.AbsencesGroups[0].StudentsAbsences.push({ Student: { Id: badId, Abbrev: "x", Name: "Bad Id" }, Absences: [] });
    };
    const before = await rowVersions(db);
    for (let run = 0; run < 2; run++) {
      const outcome = await runWith(spoil);
      expect(outcome.status).toBe("ok");
      const codes = (outcome as { warnings: RosterWarning[] }).warnings.map((w) => w.code);
      expect(codes).toEqual(expect.arrayContaining(["BAKALARI_RECORD_INVALID", "BAKALARI_GROUP_ROSTER_FAILED", "CLASSES_EXEMPT"]));
      expect(await rowVersions(db)).toBe(before);
    }
  });

  it("a teacher listed twice with different names keeps the first, warns, and writes nothing else", async () => {
    await expectConverged(db);
    const spoil = (path: string, body: Json) => {
      if (path === "/api/3/timetable/permanent") body.Teachers.push({ ...body.Teachers[0], Name: "Someone Else" });
    };
    const before = await rowVersions(db);
    const run = await runWith(spoil);
    expect(run.status).toBe("ok");
    expect((run as { warnings: RosterWarning[] }).warnings.map((w) => w.code)).toContain("BAKALARI_DUPLICATE_ID");
    expect(await rowVersions(db)).toBe(before);
  });

  it("huge and odd strings in every subject name stay data, byte for byte", async () => {
    await expectConverged(db);
    const names = fc.sample(hostileString.filter(isStorableText), { numRuns: 40, seed: 7 });
    const shown = new Map<string, string>();
    const spoil = (path: string, body: Json) => {
      if (path !== "/api/3/timetable/permanent") return;
      body.Subjects.forEach((s: Json, i: number) => {
        s.Name = names[i % names.length];
        shown.set(s.Id, s.Name === "" ? s.Abbrev : s.Name);
      });
    };
    // Renaming every subject is a large update, held for review; forced, it applies.
    const held = await runWith(spoil);
    expect(held.status).toBe("held");
    expect((await runWith(spoil, { force: true })).status).toBe("ok");
    const rows = (
      await db.db.execute(sql`
      select r.external_id, s.name from external_refs r join subjects s on s.id::text = r.internal_id where r.type = 'subject'`)
    ).rows as { external_id: string; name: string }[];
    expect(new Map(rows.map((r) => [r.external_id, r.name]))).toEqual(shown);
    expect((await postSync(env, { force: true })).status).toBe(200);
    await expectConverged(db);
  });
});
