/**
 * Hostile Bakaláři payloads end to end, through the Worker and the real engine against the
 * fake school: payloads the fake breaks (malformed, truncated, wrong shape) and hostile
 * records slipped into its real answers; a rejected payload writes nothing, and one bad
 * record never blocks the school's sync. As pure functions: fuzz.payloads.unit.test.ts.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterEach, describe, expect } from "vitest";
import type { FaultRule } from "../../dev/fake-bakalari/control";
import type { RosterWarning } from "../../src/bakalari/roster";
import { isStorableText, MAX_ID_LENGTH } from "../../src/bakalari/schemas";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { parseConfig } from "../../src/config";
import { runSync, type SyncOutcome } from "../../src/sync/engine";
import { refIntegrity, rowVersions } from "../support/inspect";
import { expectConverged, fake, postSync, workerTest, type Json } from "./harness";
import { hostileString } from "./hostile";

/**
 * The real engine and source, with each answer of the fake rewritten by `spoil` on its
 * way in: hostile records inside otherwise real payloads.
 */
type RunWith = (spoil: (path: string, body: Json) => void, request?: { force?: boolean }) => Promise<SyncOutcome>;

const it = workerTest.extend(
  "runWith",
  ({ env }): RunWith =>
    (spoil, request = {}) => {
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
    },
);

describe("Bakaláři payloads end to end", { timeout: 60_000 }, () => {
  it.beforeAll(async ({ env }) => {
    await fake.reset({ size: "small", seed: 14 });
    expect((await postSync(env)).status).toBe(200);
  });
  afterEach(async () => {
    await fake.clearFaults();
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

  it.for(cases)("%s answered %s: %s, and nothing is written", async ([name, _kind, outcome, rule], { env, db }) => {
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

  it("stores hostile records byte for byte, drops an unstorable one with a warning, and stays idempotent", async ({ env, db, runWith }) => {
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

  it.for([
    ["a lone surrogate", "U\ud800"],
    ["a NUL", "U\u0000"],
    [`${MAX_ID_LENGTH + 1} characters`, "U".repeat(MAX_ID_LENGTH + 1)],
  ])(
    "a student id holding %s fails its group's roster (its class exempt), never the run, run after run",
    async ([_name, badId], { db, runWith }) => {
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
    },
  );

  it("a teacher listed twice with different names keeps the first, warns, and writes nothing else", async ({ db, runWith }) => {
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

  it("huge and odd strings in every subject name stay data, byte for byte", async ({ env, db, runWith }) => {
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
