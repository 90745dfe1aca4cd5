/** The planner and the guard are pure: these tests need neither a database nor a network. */
import { describe, expect, it } from "vitest";
import { holdReasons, HOLD_FLOOR } from "../../src/sync/guard";
import { contentHash } from "../../src/sync/hash";
import { uuidFactory } from "../../src/sync/ids";
import { plan, type CurrentState } from "../../src/sync/plan";
import { makeSchool, rosterOf } from "../support/roster";

const empty: CurrentState = { classes: [], subjects: [], users: [], enrollments: [] };
let n = 0;
const newId = () => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, "0")}`;

/** The state a database holds after applying a plan to an empty one. */
function stateAfter(p: ReturnType<typeof plan>): CurrentState {
  const row = (r: { id: string; externalId: string; contentHash: string }) => ({ externalId: r.externalId, internalId: r.id, contentHash: r.contentHash, active: true });
  return {
    classes: p.classes.create.map(row),
    subjects: p.subjects.create.map(row),
    users: p.users.create.map((r) => ({ ...row(r), role: r.fields.role, classId: r.fields.classId })),
    enrollments: p.enrollments.create.map((r) => ({ ...row(r), userId: r.fields.userId, subjectId: r.fields.subjectId, classId: r.fields.classId })),
  };
}

describe("plan", () => {
  it("creates everything on an empty state, linking new rows by their new ids", () => {
    const roster = rosterOf(makeSchool({ classes: 2, studentsPerClass: 3, subjects: 2, teachers: 2 }));
    const p = plan(roster, empty, { newId });
    expect(p.counts.classes).toEqual({ created: 2, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 });
    expect(p.counts.users.created).toBe(2 + 6);
    const classIds = new Set(p.classes.create.map((c) => c.id));
    for (const u of p.users.create.filter((u) => u.fields.role === "student")) expect(classIds.has(u.fields.classId!)).toBe(true);
    const userIds = new Set(p.users.create.map((u) => u.id));
    for (const e of p.enrollments.create) expect(userIds.has(e.fields.userId)).toBe(true);
  });

  it("plans nothing for the same snapshot again", () => {
    const roster = rosterOf(makeSchool());
    const p = plan(roster, stateAfter(plan(roster, empty, { newId })), { newId });
    for (const c of Object.values(p.counts)) expect(c).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
  });

  it("shows the abbreviation where Bakaláři gives an empty name", () => {
    const school = makeSchool();
    const p = plan(rosterOf(school), empty, { newId });
    const s0 = p.subjects.create.find((s) => s.externalId === "S0")!;
    expect(school.subjects[0]!.name).toBe("");
    expect(s0.fields.name).toBe("P0");
  });

  it("warns and skips a student whose id is a teacher's, and an enrollment naming unknown records", () => {
    const school = makeSchool({ classes: 1, studentsPerClass: 1 });
    const roster = rosterOf(school);
    roster.students.push({ id: school.teachers[0]!.id, name: "X", classId: school.classes[0]!.id });
    roster.studentEnrollments.push({ userId: "nobody", subjectId: "S0", classId: school.classes[0]!.id });
    const p = plan(roster, empty, { newId });
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "USER_ID_CONFLICT", externalId: school.teachers[0]!.id }));
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "ENROLLMENT_REFERENCE_UNKNOWN" }));
    expect(p.users.create.filter((u) => u.externalId === school.teachers[0]!.id)).toHaveLength(1);
  });
});

describe("records dropped by validation", () => {
  it("leaves the row of a dropped student, teacher, subject or class as it is, with its enrollments", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 4, subjects: 2, teachers: 2 });
    const state = stateAfter(plan(rosterOf(school), empty, { newId }));
    const student = school.students[0]!;
    const teacher = school.teachers[1]!;
    const subject = school.subjects[1]!;
    // The snapshot as the source gives it when those three records fail validation.
    const full = rosterOf(school);
    const roster = {
      ...full,
      students: full.students.filter((s) => s.id !== student.id),
      teachers: full.teachers.filter((t) => t.id !== teacher.id),
      subjects: full.subjects.filter((s) => s.id !== subject.id),
      studentEnrollments: full.studentEnrollments.filter((e) => e.userId !== student.id && e.subjectId !== subject.id),
      teachingAssignments: full.teachingAssignments.filter((e) => e.userId !== teacher.id && e.subjectId !== subject.id),
    };
    roster.warnings.push(
      { code: "BAKALARI_RECORD_INVALID", message: "x", externalId: student.id, entity: "student" },
      { code: "BAKALARI_RECORD_INVALID", message: "x", externalId: teacher.id, entity: "teacher" },
      { code: "BAKALARI_RECORD_INVALID", message: "x", externalId: subject.id, entity: "subject" },
    );
    const p = plan(roster, state, { newId });
    for (const c of Object.values(p.counts)) expect(c.deactivated).toBe(0);

    // Without the warnings the same snapshot deactivates them.
    const bare = plan({ ...roster, warnings: [] }, state, { newId });
    expect(bare.counts.users.deactivated).toBe(2);
    expect(bare.counts.subjects.deactivated).toBe(1);
    expect(bare.counts.enrollments.deactivated).toBeGreaterThan(0);
  });

  it("exempts every class from deactivation when a group record was dropped", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 4 });
    const state = stateAfter(plan(rosterOf(school), empty, { newId }));
    const roster = rosterOf({ ...school, students: school.students.slice(1) });
    roster.warnings.push({ code: "BAKALARI_RECORD_INVALID", message: "x", entity: "group" });
    const p = plan(roster, state, { newId });
    expect(p.counts.users.deactivated).toBe(0);
    expect(p.counts.enrollments.deactivated).toBe(0);
  });
});

describe("guard", () => {
  const limits = { maxDeleteRatio: 0.1, maxUpdateRatio: 0.75 };

  it(`holds more than the ratio and more than ${HOLD_FLOOR} rows, and only then`, () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 50 });
    const state = stateAfter(plan(rosterOf(school), empty, { newId }));
    const drop = (k: number) => plan(rosterOf({ ...school, students: school.students.slice(k) }), state, { newId });
    // 11 of 106 users is 10.4 %: over both the ratio and the floor.
    expect(holdReasons(drop(11), limits)).toContainEqual(expect.objectContaining({ type: "users", kind: "deactivate", count: 11 }));
    // 10 rows is not more than the floor, whatever the ratio.
    expect(holdReasons(drop(10), { ...limits, maxDeleteRatio: 0.01 }).filter((r) => r.type === "users")).toEqual([]);
    expect(holdReasons(drop(10), limits).filter((r) => r.type === "users")).toEqual([]);
  });
});

describe("contentHash", () => {
  it("tells field boundaries and null apart", () => {
    expect(contentHash(["ab", "c"])).not.toBe(contentHash(["a", "bc"]));
    expect(contentHash([null])).not.toBe(contentHash(["null"]));
    expect(contentHash(["", ""])).not.toBe(contentHash([""]));
    expect(contentHash(["Šťastná"])).toBe(contentHash(["Šťastná"]));
    expect(contentHash(["U  12"])).not.toBe(contentHash(["U 12"]));
  });
});

describe("uuidFactory", () => {
  it("makes distinct version 4 UUIDs across batches", () => {
    const make = uuidFactory();
    const ids = Array.from({ length: 10_000 }, make);
    for (const id of ids.slice(0, 50).concat(ids.slice(-50))) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
