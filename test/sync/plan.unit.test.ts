/** The planner and the guard are pure: these tests need neither a database nor a network. */
import { describe, expect, it } from "vitest";
import { holdReasons, HOLD_FLOOR } from "../../src/sync/guard";
import { contentHash } from "../../src/sync/hash";
import { uuidFactory } from "../../src/sync/ids";
import { planSync, type CurrentState, type Plan } from "../../src/sync/plan";
import type { Roster, RosterScope } from "../../src/bakalari/roster";
import { makeSchool, rosterOf, type School } from "../support/roster";

const empty: CurrentState = { classes: [], subjects: [], users: [], enrollments: [] };
let n = 0;
const newId = () => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, "0")}`;

/** The state a database holds after applying a plan to an empty one. */
function stateAfter(p: Plan): CurrentState {
  const row = (r: { id: string; externalId: string; contentHash: string }) => ({
    externalId: r.externalId,
    internalId: r.id,
    contentHash: r.contentHash,
    active: true,
  });
  return {
    classes: p.classes.create.map(row),
    subjects: p.subjects.create.map(row),
    users: p.users.create.map((r) => ({ ...row(r), role: r.fields.role, classId: r.fields.classId })),
    enrollments: p.enrollments.create.map(row),
  };
}

describe("plan", () => {
  it("creates everything on an empty state, linking new rows by their new ids", () => {
    const roster = rosterOf(makeSchool({ classes: 2, studentsPerClass: 3, subjects: 2, teachers: 2 }));
    const p = planSync(roster, empty, { newId });
    expect(p.counts.classes).toEqual({ created: 2, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0 });
    expect(p.counts.users.created).toBe(2 + 6);
    const classIds = new Set(p.classes.create.map((c) => c.id));
    for (const u of p.users.create.filter((u) => u.fields.role === "student")) expect(classIds.has(u.fields.classId!)).toBe(true);
    const userIds = new Set(p.users.create.map((u) => u.id));
    for (const e of p.enrollments.create) expect(userIds.has(e.fields.userId)).toBe(true);
  });

  it("plans nothing for the same snapshot again", () => {
    const roster = rosterOf(makeSchool());
    const p = planSync(roster, stateAfter(planSync(roster, empty, { newId })), { newId });
    for (const c of Object.values(p.counts)) expect(c).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
  });

  it("shows the abbreviation where Bakaláři gives an empty name", () => {
    const school = makeSchool();
    const p = planSync(rosterOf(school), empty, { newId });
    const s0 = p.subjects.create.find((s) => s.externalId === "S0")!;
    expect(school.subjects[0]!.name).toBe("");
    expect(s0.fields.name).toBe("P0");
  });

  it("warns and skips a student whose id is a teacher's, and an enrollment naming unknown records", () => {
    const school = makeSchool({ classes: 1, studentsPerClass: 1 });
    const roster = rosterOf(school);
    roster.students.push({ id: school.teachers[0]!.id, name: "X", classId: school.classes[0]!.id });
    roster.studentEnrollments.push({ userId: "nobody", subjectId: "S0", classId: school.classes[0]!.id });
    const p = planSync(roster, empty, { newId });
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "USER_ID_CONFLICT", externalId: school.teachers[0]!.id }));
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "ENROLLMENT_REFERENCE_UNKNOWN" }));
    expect(p.users.create.filter((u) => u.externalId === school.teachers[0]!.id)).toHaveLength(1);
  });
});

describe("records dropped by validation", () => {
  it("leaves the row of a dropped student, teacher or subject as it is, with its enrollments", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 4, subjects: 2, teachers: 2 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const student = school.students[0]!;
    const teacher = school.teachers[1]!;
    const subject = school.subjects[1]!;
    // The snapshot as the source gives it when those three records fail validation.
    const full = rosterOf(school);
    const roster: Roster = {
      ...full,
      students: full.students.filter((s) => s.id !== student.id),
      teachers: full.teachers.filter((t) => t.id !== teacher.id),
      subjects: full.subjects.filter((s) => s.id !== subject.id),
      studentEnrollments: full.studentEnrollments.filter((e) => e.userId !== student.id && e.subjectId !== subject.id),
      teachingAssignments: full.teachingAssignments.filter((e) => e.userId !== teacher.id && e.subjectId !== subject.id),
    };
    const dropped: RosterScope["dropped"] = [
      { entity: "student", externalId: student.id },
      { entity: "teacher", externalId: teacher.id },
      { entity: "subject", externalId: subject.id },
    ];
    const p = planSync({ ...roster, scope: { ...roster.scope, dropped } }, state, { newId });
    for (const c of Object.values(p.counts)) expect(c.deactivated).toBe(0);

    // Without them in the scope the same snapshot deactivates them: warnings alone change nothing.
    const warned = roster.warnings.concat(dropped.map((d) => ({ code: "BAKALARI_RECORD_INVALID", message: "x", ...d })));
    const bare = planSync({ ...roster, warnings: warned }, state, { newId });
    expect(bare.counts.users.deactivated).toBe(2);
    expect(bare.counts.subjects.deactivated).toBe(1);
    expect(bare.counts.enrollments.deactivated).toBeGreaterThan(0);
  });

  it("leaves the row of a dropped class as it is", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 2 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const gone = school.classes[1]!;
    const roster = rosterOf({
      ...school,
      classes: [school.classes[0]!],
      students: school.students.filter((s) => s.classId !== gone.id),
      teaching: school.teaching.filter((t) => t.classId !== gone.id),
    });
    const p = planSync({ ...roster, scope: { ...roster.scope, dropped: [{ entity: "class", externalId: gone.id }] } }, state, { newId });
    expect(p.counts.classes.deactivated).toBe(0);
    expect(planSync(roster, state, { newId }).counts.classes.deactivated).toBe(1);
  });

  it("deactivates no student when no class was seen whole (as after a dropped group record)", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 4 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const roster = rosterOf({ ...school, students: school.students.slice(1) });
    // The source makes every class exempt when a group record was dropped: its class is unknown.
    const scope: RosterScope = { ...roster.scope, studentsComplete: [], subjectsComplete: [], dropped: [{ entity: "group" }] };
    const p = planSync({ ...roster, scope }, state, { newId });
    expect(p.counts.users.deactivated).toBe(0);
    expect(p.counts.enrollments.deactivated).toBe(0);
    expect(p.warnings).toContainEqual(expect.objectContaining({ code: "CLASSES_EXEMPT", message: expect.stringMatching(/^2 class/) }));
  });

  it("leaves an enrollment whose ref is not user|subject|class as it is, and deactivates one that is", () => {
    const school = makeSchool({ classes: 1, studentsPerClass: 2 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const odd = { externalId: "not-a-key", internalId: newId(), contentHash: contentHash([]), active: true };
    const listedNoMore = { ...odd, externalId: `${school.students[0]!.id}|S-gone|${school.classes[0]!.id}`, internalId: newId() };
    const p = planSync(rosterOf(school), { ...state, enrollments: [...state.enrollments, odd, listedNoMore] }, { newId });
    expect(p.enrollments.deactivate).toEqual([listedNoMore.internalId]);
  });
});

describe("what the source saw whole (roster.scope)", () => {
  /** The external ids of the rows a plan deactivates (the plan names them by internal id). */
  const deactivated = (state: CurrentState, p: Plan, type: "users" | "enrollments") => {
    const externalOf = new Map(state[type].map((r) => [r.internalId, r.externalId]));
    return p[type].deactivate.map((id) => externalOf.get(id)!);
  };

  it("with catalogComplete false deactivates no class, subject, teacher or teaching assignment the snapshot lacks", () => {
    const school = makeSchool({ classes: 3, studentsPerClass: 2, subjects: 3, teachers: 3 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const goneClass = school.classes[2]!;
    const goneSubject = school.subjects[2]!;
    const goneTeacher = school.teachers[2]!;
    // A teacher's view: one class, one subject and one teacher fewer than the school has.
    const smaller: School = {
      classes: school.classes.filter((c) => c !== goneClass),
      subjects: school.subjects.filter((s) => s !== goneSubject),
      teachers: school.teachers.filter((t) => t !== goneTeacher),
      students: school.students.filter((s) => s.classId !== goneClass.id),
      teaching: school.teaching.filter(
        (t) => t.classId !== goneClass.id && t.subjectId !== goneSubject.id && t.teacherId !== goneTeacher.id,
      ),
    };
    const roster = rosterOf(smaller);

    // A whole-school snapshot deactivates them.
    const whole = planSync(roster, state, { newId });
    expect(whole.counts.classes.deactivated).toBe(1);
    expect(whole.counts.subjects.deactivated).toBe(1);
    expect(deactivated(state, whole, "users")).toContain(goneTeacher.id);
    expect(whole.counts.enrollments.deactivated).toBeGreaterThan(0);

    // The same snapshot from a timetable that is not the whole school deactivates nothing of
    // the catalog; the pupils, all still in their read groups, keep their enrollments too.
    const partial = planSync({ ...roster, scope: { ...roster.scope, catalogComplete: false, subjectsComplete: [] } }, state, { newId });
    for (const [type, c] of Object.entries(partial.counts)) expect({ type, deactivated: c.deactivated }).toEqual({ type, deactivated: 0 });
  });

  it("takes the pupils of a class gone from a whole catalog as gone with it, unless the catalog is partial or the class was dropped", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 2, subjects: 2 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const gone = school.classes[1]!;
    const [mover, leaver] = school.students.filter((s) => s.classId === gone.id);
    // The class leaves the school; one pupil moves to the other class, the other leaves too.
    const next = rosterOf({
      ...school,
      classes: [school.classes[0]!],
      students: school.students.filter((s) => s !== leaver).map((s) => (s === mover ? { ...s, classId: school.classes[0]!.id } : s)),
      teaching: school.teaching.filter((t) => t.classId !== gone.id),
    });
    const whole = planSync(next, state, { newId });
    expect(whole.counts.classes.deactivated).toBe(1);
    expect(deactivated(state, whole, "users")).toEqual([leaver!.id]);
    expect(whole.counts.users.updated).toBe(1);
    // Every enrollment in the class that left has ended, the teachers' and the mover's included.
    const ended = deactivated(state, whole, "enrollments");
    expect(ended.every((e) => e.endsWith(`|${gone.id}`))).toBe(true);
    const teachers = new Set(school.teachers.map((t) => t.id));
    expect(new Set(ended.map((e) => e.split("|")[0]).filter((id) => !teachers.has(id!)))).toEqual(new Set([mover!.id, leaver!.id]));

    const partial = planSync({ ...next, scope: { ...next.scope, catalogComplete: false, subjectsComplete: [] } }, state, { newId });
    expect(partial.counts.classes.deactivated).toBe(0);
    expect(partial.counts.users.deactivated).toBe(0);
    expect(deactivated(state, partial, "enrollments").every((e) => e.startsWith(`${mover!.id}|`))).toBe(true);

    const dropped = planSync({ ...next, scope: { ...next.scope, dropped: [{ entity: "class", externalId: gone.id }] } }, state, { newId });
    expect(dropped.counts.classes.deactivated).toBe(0);
    expect(dropped.counts.users.deactivated).toBe(0);
  });

  it("keeps a student whose class is not in studentsComplete, and deactivates one whose class is", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 3 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const [first, second] = school.classes;
    const leftFirst = school.students.find((s) => s.classId === first!.id)!;
    const leftSecond = school.students.find((s) => s.classId === second!.id)!;
    const roster = rosterOf({ ...school, students: school.students.filter((s) => s !== leftFirst && s !== leftSecond) });
    const scope: RosterScope = { ...roster.scope, studentsComplete: [second!.id], subjectsComplete: [second!.id] };
    const p = planSync({ ...roster, scope }, state, { newId });
    expect(deactivated(state, p, "users")).toEqual([leftSecond.id]);
    const ended = deactivated(state, p, "enrollments");
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.every((e) => e.startsWith(`${leftSecond.id}|`) && e.endsWith(`|${second!.id}`))).toBe(true);
  });

  it("in a class whose students but not subjects were seen whole, keeps a staying pupil's unseen enrollments and ends those of a pupil who left", () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 3, subjects: 3 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const [k, other] = school.classes;
    const [stays, moves] = school.students.filter((s) => s.classId === k!.id);
    // `moves` goes to the other class; `stays` is still in k's read group, but the snapshot lacks one of their subjects.
    const roster = rosterOf({ ...school, students: school.students.map((s) => (s === moves ? { ...s, classId: other!.id } : s)) });
    const unseen = roster.studentEnrollments.find((e) => e.userId === stays!.id)!;
    roster.studentEnrollments = roster.studentEnrollments.filter((e) => e !== unseen);
    const scope: RosterScope = { ...roster.scope, catalogComplete: false, studentsComplete: [k!.id, other!.id], subjectsComplete: [] };

    const p = planSync({ ...roster, scope }, state, { newId });
    const ended = deactivated(state, p, "enrollments");
    expect(ended).not.toContain(`${stays!.id}|${unseen.subjectId}|${unseen.classId}`);
    expect(ended.sort()).toEqual(
      school.teaching
        .filter((t) => t.classId === k!.id)
        .map((t) => `${moves!.id}|${t.subjectId}|${k!.id}`)
        .sort(),
    );
    expect(p.counts.users).toMatchObject({ updated: 1, deactivated: 0 });

    // With the class's subjects seen whole, the staying pupil's unseen enrollment has ended too.
    const whole = planSync({ ...roster, scope: { ...scope, catalogComplete: true, subjectsComplete: [k!.id, other!.id] } }, state, {
      newId,
    });
    expect(deactivated(state, whole, "enrollments")).toContain(`${stays!.id}|${unseen.subjectId}|${unseen.classId}`);
  });
});

describe("guard", () => {
  const limits = { maxDeleteRatio: 0.1, maxUpdateRatio: 0.75 };

  it(`holds more than the ratio and more than ${HOLD_FLOOR} rows, and only then`, () => {
    const school = makeSchool({ classes: 2, studentsPerClass: 50 });
    const state = stateAfter(planSync(rosterOf(school), empty, { newId }));
    const drop = (k: number) => planSync(rosterOf({ ...school, students: school.students.slice(k) }), state, { newId });
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
    for (const id of ids.slice(0, 50).concat(ids.slice(-50)))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
