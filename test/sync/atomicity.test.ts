import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { enrollmentKey } from "../../src/bakalari/roster";
import { freshTest as it } from "../support/fixtures";
import { activeView, expectedView, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { expectStatus } from "../support/sync";

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
});
