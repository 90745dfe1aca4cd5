import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { BakalariError, enrollmentKey, type Roster } from "../../src/bakalari/roster";
import { parseConfig, type Config } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { runSync } from "../../src/sync/engine";
import { freshTest as it } from "../support/fixtures";
import { activeView, expectedView, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { expectStatus } from "../support/sync";
import { testBindings } from "../support/worker";

// A connection dropped mid-apply is in test/reliability/faults.database.test.ts (our proxy drops it).
describe("atomic runs", () => {
  /** A school with one more class than before, so the second run writes in every table. */
  function grown(school: School): School {
    const extra = { id: "C-new", abbrev: "9.Z", name: "Nová třída" };
    return {
      ...school,
      classes: [...school.classes, extra],
      students: [...school.students, ...[1, 2, 3].map((i) => ({ id: `U-new-${i}`, name: `Nový Žák ${i}`, classId: extra.id }))],
      teaching: [
        ...school.teaching,
        ...school.subjects.map((s) => ({ classId: extra.id, subjectId: s.id, teacherId: school.teachers[0]!.id })),
      ],
    };
  }

  it("rolls everything back when the last chunk violates a constraint, records the failure, and recovers", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const next = grown(school);
    // A stray ref that claims one of the new enrollments: its insert (the last write) collides.
    const stray = enrollmentKey({ userId: "U-new-3", subjectId: next.subjects[4]!.id, classId: "C-new" });
    await db.db.execute(
      sql`insert into external_refs (type, external_id, internal_id, content_hash) values ('enrollment', ${stray}, ${crypto.randomUUID()}, 'x')`,
    );
    const before = await rowVersions(db);

    const failed = expectStatus(await e.run(rosterOf(next)), "fail");
    expect(failed.code).toBe("SYNC_FAILED");
    expect(failed.errors[0]!.message).toMatch(/Postgres error 23505/);
    expect(await rowVersions(db)).toBe(before);
    const record = (await db.db.execute(sql`select status, errors from sync_runs where id = ${failed.runId}`)).rows[0] as {
      status: string;
      errors: { code: string }[];
    };
    expect(record).toEqual({ status: "fail", errors: [expect.objectContaining({ code: "SYNC_FAILED" })] });
    expect(e.logs.at(-1)).toMatchObject({ level: "ERROR", message: "sync_fail", runId: failed.runId, errors: failed.errors });

    await db.db.execute(sql`delete from external_refs where external_id = ${stray}`);
    expectStatus(await e.run(rosterOf(next)), "ok");
    expect(await activeView(db)).toEqual(expectedView(rosterOf(next)));
  });

  // The current state is read while Bakaláři is (src/sync/engine.ts). A table of this test's
  // own database renamed away makes that read fail, and only that read.
  const stateUnreadable = (database: Parameters<typeof rowVersions>[0]) =>
    database.db.execute(sql`alter table enrollments rename to enrollments_away`);
  const stateReadable = (database: Parameters<typeof rowVersions>[0]) =>
    database.db.execute(sql`alter table enrollments_away rename to enrollments`);

  it("fails the run when the current state cannot be read while Bakaláři is, writes nothing, and recovers", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const next = grown(school);
    const before = await rowVersions(db);

    await stateUnreadable(db);
    const failed = expectStatus(await e.run(rosterOf(next)), "fail");
    await stateReadable(db);
    expect(failed.code).toBe("SYNC_FAILED");
    expect(failed.errors[0]!.message).toMatch(/Postgres error 42P01/);
    // Bakaláři was read whole meanwhile: the run knows what it saw.
    expect(failed.coverage).not.toBeNull();
    expect(await rowVersions(db)).toBe(before);
    const record = (await db.db.execute(sql`select status from sync_runs where id = ${failed.runId}`)).rows[0];
    expect(record).toEqual({ status: "fail" });

    expectStatus(await e.run(rosterOf(next)), "ok");
    expect(await activeView(db)).toEqual(expectedView(rosterOf(next)));
  });

  it("reports Bakaláři's error when the current state failed first", async ({ db, databaseUrl, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);

    // The source fails once the state's read has: the order a Promise.all would get wrong.
    let stateFailed!: () => void;
    const stateHasFailed = new Promise<void>((resolve) => (stateFailed = resolve));
    const open = (config: Config) => {
      const database = openDatabase(config);
      const execute = database.db.execute.bind(database.db);
      database.db.execute = ((query: Parameters<typeof execute>[0]) =>
        execute(query).catch((error: unknown) => {
          stateFailed();
          throw error;
        })) as typeof database.db.execute;
      return database;
    };
    const source = () => ({
      read: async (): Promise<Roster> => {
        await stateHasFailed;
        // One turn of the event loop: every callback of the state's failure has run by then.
        await new Promise((resolve) => setTimeout(resolve, 0));
        throw new BakalariError("BAKALARI_UNAVAILABLE", "Bakaláři did not answer");
      },
      requests: () => 1,
    });

    await stateUnreadable(db);
    const outcome = await runSync(
      { config: parseConfig(testBindings({ DATABASE_URL: databaseUrl })), log: () => undefined, open, source },
      { trigger: "manual" },
    );
    await stateReadable(db);
    const failed = expectStatus(outcome, "fail");
    expect(failed.errors).toEqual([{ code: "BAKALARI_UNAVAILABLE", message: "Bakaláři did not answer" }]);
    expect(failed.coverage).toBeNull();
    expect(await rowVersions(db)).toBe(before);
    expect((await db.db.execute(sql`select status from sync_runs where id = ${failed.runId}`)).rows[0]).toEqual({ status: "fail" });
    expectStatus(await e.run(rosterOf(school)), "ok");
  });
});
