import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import type { Database } from "../../src/db/client";
import { enrollmentKey } from "../../src/bakalari/roster";
import { useTestDatabase } from "../support/database";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { DRIVERS } from "../support/hyperdrive";
import { engine, expectStatus, type Engine } from "../support/sync";

const proxyControl = (path: string) => fetch(`http://${inject("wsProxy")}/control/${path}`, { method: "POST" });

describe("atomic runs", () => {
  const t = useTestDatabase();
  let db: Database;
  let e: Engine;

  beforeEach(() => {
    db = t.database;
    e = engine(t.url);
  });
  afterEach(async () => {
    await proxyControl("reset");
  });

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

  // Both drivers; the dropped connection below needs our proxy, which only Neon's driver goes through.
  it.each(DRIVERS)(
    "rolls everything back when the last chunk violates a constraint, records the failure, and recovers (%s)",
    async (_, engineFor) => {
      const e = engineFor(t.url);
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
    },
  );

  it("rolls everything back when the proxy drops the connection mid-apply, and records the failure on a fresh connection", async () => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);
    // A name unique to this test: the connection drops when the run sends it (inside the transaction).
    const marker = `Dropped ${crypto.randomUUID()}`;
    const next = grown(school);
    next.students = next.students.map((s) => (s.id === "U-new-2" ? { ...s, name: marker } : s));
    const armed = await proxyControl(`drop-on?match=${encodeURIComponent(marker)}`);
    expect(armed.status).toBe(200);

    const failed = expectStatus(await e.run(rosterOf(next)), "fail");
    expect(failed.code).toBe("SYNC_FAILED");
    expect(await rowVersions(db)).toBe(before);
    const record = (await db.db.execute(sql`select status from sync_runs where id = ${failed.runId}`)).rows[0];
    expect(record).toEqual({ status: "fail" });
    // The failure message never quotes the data (the marker stands for a pupil's name).
    expect(JSON.stringify(failed)).not.toContain(marker);
    expect(JSON.stringify(e.logs)).not.toContain(marker);

    expectStatus(await e.run(rosterOf(next)), "ok");
    expect(await activeView(db)).toEqual(expectedView(rosterOf(next)));
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
  });
});
