/**
 * The Hyperdrive path, as production takes it with a HYPERDRIVE binding: node-postgres over
 * (miniflare's) Hyperdrive, and no DATABASE_URL at all, so nothing can fall back to Neon's
 * driver. The engine's runs of test/sync/engine.test.ts and atomicity.test.ts, checked through
 * the same path (the Db type serves both drivers), the statements each run counts equal to the
 * Neon path's, and the Worker itself serving a POST, the runs list and /health through it.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client";
import { enrollmentExternalId } from "../../src/sync/plan";
import { createTestDatabase } from "../support/database";
import { connectThroughHyperdrive, hyperdriveFor } from "../support/hyperdrive";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { engine, expectStatus, type Engine } from "../support/sync";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";
import { fake } from "../reliability/harness";

const zero = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };

/** An engine whose runs reach databaseUrl's database through Hyperdrive only. */
const throughHyperdrive = (databaseUrl: string) => engine(databaseUrl, { DATABASE_URL: undefined, HYPERDRIVE: hyperdriveFor(databaseUrl) });

describe("the engine through Hyperdrive (node-postgres)", () => {
  const opened: Database[] = [];
  let url: string;
  let db: Database;
  let e: Engine;

  beforeEach(async () => {
    url = await createTestDatabase();
    db = connectThroughHyperdrive(url);
    opened.push(db);
    e = throughHyperdrive(url);
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.end()));
  });

  it("creates the whole school on the first run, and changes nothing on the second", async () => {
    const roster = rosterOf(makeSchool());
    const first = expectStatus(await e.run(roster), "ok");
    expect(first.counts.classes).toEqual({ created: 4, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 });
    expect(first.counts.users.created).toBe(6 + 40);
    expect(first.counts.enrollments.created).toBe(4 * 5 + 40 * 5);
    expect(first.rowsWritten).toBe(2 * (4 + 5 + 46 + 220));
    expect(await activeView(db)).toEqual(expectedView(roster));
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });

    const before = await rowVersions(db);
    const second = expectStatus(await e.run(roster), "ok");
    for (const type of ["classes", "subjects", "users", "enrollments"] as const) expect(second.counts[type]).toMatchObject(zero);
    expect(second.rowsWritten).toBe(0);
    expect(await rowVersions(db)).toBe(before);
  });

  it("counts the same statements as the Neon path, run for run", async () => {
    const school = makeSchool({ classes: 3, studentsPerClass: 8 });
    const neon = engine(await createTestDatabase());
    const runs = async (x: Engine) => [
      expectStatus(await x.run(rosterOf(school)), "ok").statements,
      expectStatus(await x.run(rosterOf(school)), "ok").statements,
    ];
    const viaHyperdrive = await runs(e);
    expect(viaHyperdrive[0]).toBeGreaterThan(viaHyperdrive[1]!);
    expect(viaHyperdrive).toEqual(await runs(neon));
    const [row] = (await db.db.execute<{ statements: number }>(sql`select statements from sync_runs order by started_at desc limit 1`))
      .rows;
    expect(row!.statements).toBe(viaHyperdrive[1]);
  });

  it("deactivates what a complete source no longer lists, and reactivates it when it returns", async () => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const gone = school.students[0]!;
    const without: School = { ...school, students: school.students.filter((s) => s !== gone) };
    const second = expectStatus(await e.run(rosterOf(without)), "ok");
    expect(second.counts.users).toMatchObject({ deactivated: 1, created: 0, updated: 0 });
    expect(second.counts.enrollments).toMatchObject({ deactivated: 5 });
    const [row] = (
      await db.db.execute<{ active: boolean; deactivated_at: string | null }>(
        sql`select u.active, u.deactivated_at from users u join external_refs r on r.internal_id = u.id::text and r.type = 'user' where r.external_id = ${gone.id}`,
      )
    ).rows;
    expect(row).toEqual({ active: false, deactivated_at: expect.anything() });

    const back: School = { ...school, students: school.students.map((s) => (s === gone ? { ...s, classId: school.classes[1]!.id } : s)) };
    const third = expectStatus(await e.run(rosterOf(back)), "ok");
    expect(third.counts.users).toMatchObject({ reactivated: 1, updated: 0, created: 0, deactivated: 0 });
    expect(third.counts.enrollments).toMatchObject({ created: 5, reactivated: 0, deactivated: 0 });
    expect(await activeView(db)).toEqual(expectedView(rosterOf(back)));
  });

  it("holds a plan that would deactivate half the school and writes nothing", async () => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);
    const held = expectStatus(await e.run(rosterOf({ ...school, students: school.students.slice(0, 20) })), "held");
    expect(held.counts.users.deactivated).toBe(20);
    expect(await rowVersions(db)).toBe(before);
  });

  it("rolls everything back when the last write violates a constraint, records the failure, and recovers", async () => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const extra = { id: "C-new", abbrev: "9.Z", name: "Nová třída" };
    const next: School = {
      ...school,
      classes: [...school.classes, extra],
      students: [...school.students, ...[1, 2, 3].map((i) => ({ id: `U-new-${i}`, name: `Nový Žák ${i}`, classId: extra.id }))],
      teaching: [
        ...school.teaching,
        ...school.subjects.map((s) => ({ classId: extra.id, subjectId: s.id, teacherId: school.teachers[0]!.id })),
      ],
    };
    // A stray ref that claims one of the new enrollments: its insert (the last write) collides.
    const stray = enrollmentExternalId("U-new-3", next.subjects[4]!.id, "C-new");
    await db.db.execute(
      sql`insert into external_refs (type, external_id, internal_id, content_hash) values ('enrollment', ${stray}, ${crypto.randomUUID()}, 'x')`,
    );
    const before = await rowVersions(db);

    const failed = expectStatus(await e.run(rosterOf(next)), "fail");
    expect(failed.code).toBe("SYNC_FAILED");
    expect(failed.errors[0]!.message).toMatch(/Postgres error 23505/);
    expect(await rowVersions(db)).toBe(before);
    const [record] = (await db.db.execute<{ status: string }>(sql`select status from sync_runs where id = ${failed.runId}`)).rows;
    expect(record).toEqual({ status: "fail" });

    await db.db.execute(sql`delete from external_refs where external_id = ${stray}`);
    expectStatus(await e.run(rosterOf(next)), "ok");
    expect(await activeView(db)).toEqual(expectedView(rosterOf(next)));
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
  });
});

describe("the Worker with a HYPERDRIVE binding and no DATABASE_URL", () => {
  it("syncs, lists its runs and answers /health through Hyperdrive", async () => {
    await fake.reset({ size: "small", seed: 3 });
    const url = await createTestDatabase();
    const env = testBindings({ DATABASE_URL: undefined, HYPERDRIVE: hyperdriveFor(url) });
    const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const sync = await fetchWorker("/api/sync/bakalari", { method: "POST", headers: auth }, env);
    expect(sync.status).toBe(200);
    const run = (await sync.json()) as { runId: string; statements: number };
    expect(run.statements).toBeGreaterThan(0);
    const listed = (await (await fetchWorker("/api/sync/runs", { headers: auth }, env)).json()) as { runs: { runId: string }[] };
    expect(listed.runs.map((r) => r.runId)).toEqual([run.runId]);
    const health = await fetchWorker("/health", undefined, env);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", lastRunStatus: "ok" });
  });
});
