import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { HOLD_FLOOR } from "../../src/sync/guard";
import { createTestDatabase } from "../support/database";
import { freshTest as it } from "../support/fixtures";
import { activeView, expectedView, refIntegrity, rowVersions } from "../support/inspect";
import { makeSchool, rosterOf, type School } from "../support/roster";
import { engine, expectStatus } from "../support/sync";

const zero = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };

// Through the project's driver: Neon's in `workers`, Hyperdrive's in `workers-hyperdrive`.
describe("sync engine", () => {
  it("creates the whole school on the first run, and changes nothing on the second", async ({ db, engine: e }) => {
    const roster = rosterOf(makeSchool());
    const first = expectStatus(await e.run(roster), "ok");
    expect(first.counts.classes).toEqual({ created: 4, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 });
    expect(first.counts.users.created).toBe(6 + 40);
    expect(first.counts.enrollments.created).toBe(4 * 5 + 40 * 5);
    expect(await activeView(db)).toEqual(expectedView(roster));
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
    // Every new row and its ref.
    expect(first.rowsWritten).toBe(2 * (4 + 5 + 46 + 220));

    const before = await rowVersions(db);
    const second = expectStatus(await e.run(roster), "ok");
    for (const type of ["classes", "subjects", "users", "enrollments"] as const) {
      expect(second.counts[type]).toMatchObject(zero);
    }
    expect(second.counts.enrollments.unchanged).toBe(220);
    expect(second.rowsWritten).toBe(0);
    expect(await rowVersions(db)).toBe(before);
  });

  it("keeps ids byte for byte: ids differing only by spaces are different records", async ({ db, engine: e }) => {
    const school = makeSchool({ classes: 1, studentsPerClass: 1 });
    school.students = [
      { id: "U  12", name: "Jana Nováková", classId: school.classes[0]!.id },
      { id: "U 12", name: "Jan Novák", classId: school.classes[0]!.id },
      { id: " U 12", name: "Jiří Dvořák", classId: school.classes[0]!.id },
    ];
    const roster = rosterOf(school);
    expectStatus(await e.run(roster), "ok");
    const view = await activeView(db);
    expect([...view.users.keys()].filter((k) => k.includes("12")).sort()).toEqual([" U 12", "U  12", "U 12"]);
  });

  it("deactivates what a complete source no longer lists, and reactivates it when it returns", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const gone = school.students[0]!;
    const without: School = { ...school, students: school.students.filter((s) => s !== gone) };
    const second = expectStatus(await e.run(rosterOf(without)), "ok");
    expect(second.counts.users).toMatchObject({ deactivated: 1, created: 0, updated: 0 });
    expect(second.counts.enrollments).toMatchObject({ deactivated: 5 });
    const row = (
      await db.db.execute(
        sql`select u.active, u.deactivated_at from users u join external_refs r on r.internal_id = u.id::text and r.type = 'user' where r.external_id = ${gone.id}`,
      )
    ).rows[0] as { active: boolean; deactivated_at: string | null };
    expect(row.active).toBe(false);
    expect(row.deactivated_at).not.toBeNull();

    // Back, and in another class: one bucket only (reactivated), fields written too.
    const back: School = { ...school, students: school.students.map((s) => (s === gone ? { ...s, classId: school.classes[1]!.id } : s)) };
    const third = expectStatus(await e.run(rosterOf(back)), "ok");
    expect(third.counts.users).toMatchObject({ reactivated: 1, updated: 0, created: 0, deactivated: 0 });
    expect(third.counts.enrollments).toMatchObject({ created: 5, reactivated: 0, deactivated: 0 });
    expect(await activeView(db)).toEqual(expectedView(rosterOf(back)));
  });

  it("counts updates truly: a renamed subject and a moved student", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const changed: School = {
      ...school,
      subjects: school.subjects.map((s, i) => (i === 1 ? { ...s, name: "Český jazyk a literatura" } : s)),
      students: school.students.map((s, i) => (i === 0 ? { ...s, classId: school.classes[3]!.id } : s)),
    };
    const run = expectStatus(await e.run(rosterOf(changed)), "ok");
    expect(run.counts.subjects).toMatchObject({ updated: 1, unchanged: 4 });
    expect(run.counts.users).toMatchObject({ updated: 1, unchanged: 45 });
    // The moved student's enrollments move class: 5 new, 5 deactivated.
    expect(run.counts.enrollments).toMatchObject({ created: 5, deactivated: 5 });
    expect(await activeView(db)).toEqual(expectedView(rosterOf(changed)));
  });

  it("exempts a class whose roster could not be read: none of its students or enrollments is deactivated", async ({ db, engine: e }) => {
    const school = makeSchool();
    const roster = rosterOf(school);
    expectStatus(await e.run(roster), "ok");
    const failedClass = school.classes[2]!.id;
    const partial = rosterOf({ ...school, unread: [{ classId: failedClass, status: "failed" }] });
    const run = expectStatus(await e.run(partial), "ok");
    expect(run.counts.users).toMatchObject(zero);
    expect(run.counts.enrollments).toMatchObject(zero);
    expect(run.warnings.map((w) => w.code)).toContain("CLASSES_EXEMPT");
    expect(await activeView(db)).toEqual(expectedView(roster));
  });

  it("in the holidays syncs classes, subjects and teachers, leaves students as they are, and ends ok", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const holidays: School = {
      ...school,
      teachers: [...school.teachers, { id: "T-new", abbrev: "NOV", name: "Nová Učitelka" }],
      unread: school.classes.map((c) => ({ classId: c.id, status: "no_lesson" as const })),
    };
    const run = expectStatus(await e.run(rosterOf(holidays)), "ok");
    expect(run.counts.users).toMatchObject({ created: 1, deactivated: 0 });
    expect(run.counts.enrollments.deactivated).toBe(0);
    const view = await activeView(db);
    expect(view.users.size).toBe(6 + 1 + 40);
    expect(view.enrollments).toEqual(expectedView(rosterOf(school)).enrollments);
    const health = (await db.db.execute(sql`select status from sync_runs order by started_at desc limit 1`)).rows[0] as { status: string };
    expect(health.status).toBe("ok");
  });

  it("holds a plan that would deactivate half the school, writes nothing, and applies it with force", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);
    const half: School = { ...school, students: school.students.slice(0, 20) };
    const held = expectStatus(await e.run(rosterOf(half)), "held");
    expect(held.holdReasons).toContainEqual(expect.objectContaining({ type: "users", kind: "deactivate", count: 20, activeBefore: 46 }));
    expect(held.counts.users.deactivated).toBe(20);
    expect(await rowVersions(db)).toBe(before);
    const record = (await db.db.execute(sql`select status, counts from sync_runs where id = ${held.runId}`)).rows[0] as {
      status: string;
      counts: unknown;
    };
    expect(record.status).toBe("held");
    expect(record.counts).toEqual(held.counts);

    expect(e.logs.filter((l) => l.message === "sync_held")).toEqual([
      expect.objectContaining({ level: "WARN", runId: held.runId, trigger: "manual", counts: held.counts, holdReasons: held.holdReasons }),
    ]);

    const forced = expectStatus(await e.run(rosterOf(half), { force: true }), "ok");
    expect(forced.counts.users.deactivated).toBe(20);
    expect(await activeView(db)).toEqual(expectedView(rosterOf(half)));
  });

  it("holds a plan that updates too many rows, but not a small change under the floor", async ({ engine: e }) => {
    const school = makeSchool({ classes: 2, studentsPerClass: 20 });
    expectStatus(await e.run(rosterOf(school)), "ok");
    const small: School = { ...school, students: school.students.map((s, i) => (i < HOLD_FLOOR ? { ...s, name: `${s.name} ml.` } : s)) };
    expectStatus(await e.run(rosterOf(small)), "ok");
    const renamed: School = { ...school, students: school.students.map((s) => ({ ...s, name: `${s.name} st.` })) };
    const held = expectStatus(await e.run(rosterOf(renamed)), "held");
    expect(held.holdReasons).toEqual([expect.objectContaining({ type: "users", kind: "update", count: 40 })]);
  });

  it("cron never forces past a hold", async ({ engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const half: School = { ...school, students: school.students.slice(0, 10) };
    expectStatus(await e.run(rosterOf(half), { trigger: "cron", force: true }), "held");
  });

  it("a dry run returns the plan and writes nothing but its run row", async ({ db, engine: e }) => {
    const school = makeSchool();
    expectStatus(await e.run(rosterOf(school)), "ok");
    const before = await rowVersions(db);
    const half: School = { ...school, students: school.students.slice(0, 20) };
    const dry = expectStatus(await e.run(rosterOf(half), { dryRun: true, force: true }), "dry_run");
    expect(dry.wouldHold).toBe(true);
    expect(dry.counts.users.deactivated).toBe(20);
    expect(await rowVersions(db)).toBe(before);
    const runs = (await db.db.execute(sql`select status from sync_runs where id = ${dry.runId}`)).rows as { status: string }[];
    expect(runs).toEqual([{ status: "dry_run" }]);
    expect(e.logs.filter((l) => l.message === "sync_dry_run")).toEqual([
      expect.objectContaining({ level: "INFO", runId: dry.runId, counts: dry.counts, wouldHold: true }),
    ]);
  });

  it("emits sync_start and sync_ok with counts and no personal data", async ({ engine: e }) => {
    const school = makeSchool();
    const run = expectStatus(await e.run(rosterOf(school), { requestId: "req-1" }), "ok");
    const messages = e.logs.map((l) => l.message);
    expect(messages).toEqual(["sync_start", "sync_ok"]);
    expect(e.logs[1]).toMatchObject({
      level: "INFO",
      runId: run.runId,
      requestId: "req-1",
      trigger: "manual",
      counts: run.counts,
      durationMs: expect.any(Number),
    });
    const text = JSON.stringify(e.logs);
    for (const s of school.students) expect(text).not.toContain(s.name);
    for (const t of school.teachers) expect(text).not.toContain(t.name);
  });

  it("records the statements it sent, bounded whatever the size", async ({ db, engine: e }) => {
    const small = expectStatus(await e.run(rosterOf(makeSchool({ classes: 2, studentsPerClass: 5 }))), "ok");
    const url2 = await createTestDatabase();
    const big = expectStatus(
      await engine(url2).run(rosterOf(makeSchool({ classes: 30, studentsPerClass: 30, subjects: 12, teachers: 40 }))),
      "ok",
    );
    // lease (2) + state (1) + BEGIN + one insert/update per table and kind + refs + run row + COMMIT
    expect(small.statements).toBeLessThanOrEqual(20);
    expect(big.statements).toBe(small.statements);
    const recorded = (await db.db.execute(sql`select statements from sync_runs where id = ${small.runId}`)).rows[0] as {
      statements: number;
    };
    expect(recorded.statements).toBe(small.statements);
    const again = expectStatus(await e.run(rosterOf(makeSchool({ classes: 2, studentsPerClass: 5 }))), "ok");
    expect(again.statements).toBeLessThanOrEqual(10);
  });
});
