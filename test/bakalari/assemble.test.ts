import { describe, expect, it } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { BakalariError, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { parseAbsenceList, parseClassbook, parseTimetable } from "../../src/bakalari/schemas";
import { assemblePayloads, prepareAssembly, type AssembleOptions, type Payloads } from "../support/assemble";
import { absences, classbook, NAMES, timetable } from "./fixtures";

const TT = "GET /api/3/timetable/permanent";
/** A class book group as Bakaláři names it; the fixtures' own use the id as Abbrev. */
const cbGroup = (ClassId: string, Id: string, Abbrev = Id) => ({ ClassId, Id, Abbrev, Name: Id });
const CB = "GET /api/3/classbook";

/** The fixture school, with any payload replaced; `cb: null` is a class book the account was refused. */
const school = (p: Partial<Payloads>): Payloads => ({
  tt: p.tt ?? timetable(),
  cb: p.cb === undefined ? classbook() : p.cb,
  abs: p.abs ?? absences(),
  failed: p.failed,
});

/** Parses hand-written payloads and assembles them, as the source does, without I/O. */
const assemble = (p: Partial<Payloads> = {}, options: AssembleOptions = {}) => prepareAssembly(school(p), options);

function roster(p: Partial<Payloads> = {}, options: AssembleOptions = {}): { roster: Roster; warnings: RosterWarning[] } {
  return assemblePayloads(school(p), options);
}

function failure(p: Partial<Payloads>, options: AssembleOptions = {}): BakalariError {
  try {
    assemble(p, options).build();
  } catch (e) {
    if (e instanceof BakalariError) return e;
    throw e;
  }
  throw new Error("expected a BakalariError");
}

const codes = (warnings: RosterWarning[]) => warnings.map((w) => w.code);
const reasons = (r: Roster) => Object.fromEntries(r.coverage.rosters.exempt.map((e) => [e.classId, e.reason]));

const sortEnrollments = (list: { userId: string; subjectId: string; classId: string }[]) =>
  [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("assembleRoster on a well-formed school", () => {
  it("reads classes, subjects and teachers byte for byte, keeping an empty Name and dropping extra fields", () => {
    const { roster: r, warnings } = roster();
    expect(warnings).toEqual([]);
    expect(r.classes).toEqual([
      { id: " 6", abbrev: "1.A", name: "1.A" },
      { id: "6", abbrev: "1.B", name: "" },
    ]);
    expect(r.subjects).toEqual([
      { id: "U  12", abbrev: "M", name: "Matematika" },
      { id: "U 12", abbrev: "Aj", name: "Anglický jazyk" },
      { id: "7", abbrev: "Tv", name: "" },
    ]);
    expect(r.teachers.map((t) => t.id)).toEqual(["T1", "T2"]);
  });

  it("sees a management account's school whole: every class read, the catalog complete", () => {
    const { roster: r } = roster();
    expect(r.scope).toMatchObject({ catalogComplete: true, studentsComplete: [" 6", "6"], subjectsComplete: [" 6", "6"], dropped: [] });
    expect(r.coverage).toMatchObject({
      account: { type: "headmastership" },
      catalog: { classes: 2, teachers: 2, subjects: 3, groups: 4, publicTimetable: "off" },
      rosters: {
        groups: 4,
        groupsRead: 4,
        groupsReused: 0,
        oldestReusedAt: null,
        classes: 2,
        classesRead: 2,
        classesExempt: 0,
        classesSubjectsUnverified: 0,
        exempt: [],
      },
    });
  });

  it("collapses identical duplicate groups and keeps each group's class", () => {
    const { roster: r } = roster();
    expect(r.groups.map((g) => [g.id, g.classId])).toEqual([
      ["G1", " 6"],
      ["G1-en1", " 6"],
      ["G2", "6"],
      ["G2-pe", "6"],
    ]);
  });

  it("reads one lesson per group, the newest, and one absence request for a lesson of two groups", () => {
    const { lessons } = assemble();
    expect(new Map(lessons.map((l) => [l.lessonId, l.groupIds]))).toEqual(
      new Map([
        ["L3", ["G2", "G2-pe"]],
        ["L2", ["G1-en1"]],
        ["L1", ["G1"]],
      ]),
    );
  });

  it("gives every group a read roster and students their groups' class", () => {
    const { roster: r } = roster();
    expect(Object.fromEntries(r.groups.map((g) => [g.id, g.roster]))).toEqual({
      G1: { status: "read", studentIds: [" 1", "1", "S2"] },
      "G1-en1": { status: "read", studentIds: [" 1"] },
      G2: { status: "read", studentIds: ["S3", "S4"] },
      "G2-pe": { status: "read", studentIds: ["S3"] },
    });
    expect(r.students).toEqual([
      { id: " 1", name: "Anna Dvořáková", abbrev: "", classId: " 6" },
      { id: "1", name: "Jan Novák", abbrev: "", classId: " 6" },
      { id: "S2", name: "", abbrev: "S2", classId: " 6" },
      { id: "S3", name: "Eva Černá", abbrev: "", classId: "6" },
      { id: "S4", name: "Petr Svoboda", abbrev: "", classId: "6" },
    ]);
  });

  it("enrolls students in their groups' subjects and teachers in the distinct (subject, class) pairs they teach", () => {
    const { roster: r } = roster();
    const e = (userId: string, subjectId: string, classId: string) => ({ userId, subjectId, classId });
    expect(sortEnrollments(r.studentEnrollments)).toEqual(
      sortEnrollments([
        e(" 1", "U  12", " 6"),
        e(" 1", "U 12", " 6"),
        e("1", "U  12", " 6"),
        e("S2", "U  12", " 6"),
        e("S3", "U  12", "6"),
        e("S3", "7", "6"),
        e("S4", "U  12", "6"),
      ]),
    );
    expect(sortEnrollments(r.teachingAssignments)).toEqual(
      sortEnrollments([e("T1", "U  12", " 6"), e("T2", "U 12", " 6"), e("T1", "U  12", "6"), e("T2", "7", "6")]),
    );
  });
});

describe("assembleRoster on bad records", () => {
  it("drops a malformed record with a warning naming its id, or its index when it has none", () => {
    const tt = timetable();
    tt.Classes.push({ Id: "C9", Abbrev: "9.Z", Name: 42 as unknown as string });
    tt.Teachers.push({ Id: "", Abbrev: "X", Name: "Karel Král" });
    const { roster: r, warnings } = roster({ tt });
    expect(r.classes.map((c) => c.id)).toEqual([" 6", "6"]);
    expect(r.teachers.map((t) => t.id)).toEqual(["T1", "T2"]);
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.recordInvalid, externalId: "C9", entity: "class" }));
    const teacherWarning = warnings.find((w) => w.message.includes("Teachers[2]"));
    expect(teacherWarning).toMatchObject({ code: ROSTER_WARNING.recordInvalid });
    expect(teacherWarning?.externalId).toBeUndefined();
    expect(teacherWarning?.message).toContain(TT);
  });

  it("drops a malformed atom by position and a student record with a usable id by its id", () => {
    const tt = timetable();
    tt.Days[0]!.Atoms.push({
      HourId: 9,
      GroupIds: ["G1"],
      SubjectId: 5 as unknown as string,
      TeacherId: "T1",
      RoomId: "R1",
      CycleIds: [],
      Change: null,
    });
    const abs = absences();
    const l3 = abs.L3 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] };
    l3.AbsencesGroups[0]!.StudentsAbsences.push({ Student: { Id: "S5", Abbrev: "", Name: null } });
    const { roster: r, warnings } = roster({ tt, abs });
    expect(warnings.map((w) => w.message).join("\n")).toContain("Days[0].Atoms[4]");
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.recordInvalid, externalId: "S5", entity: "student" }));
    expect(r.students.map((s) => s.id)).not.toContain("S5");
    expect(r.groups.find((g) => g.id === "G2")?.roster).toEqual({ status: "read", studentIds: ["S3", "S4"] });
  });

  it("fails the group whose absence list holds a student without a usable id (its class is then exempt)", () => {
    const abs = absences();
    const l3 = abs.L3 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] };
    l3.AbsencesGroups[0]!.StudentsAbsences.push({ Student: { Id: "", Abbrev: "", Name: "Eva Černá" } });
    const { roster: r, warnings } = roster({ abs });
    expect(r.groups.find((g) => g.id === "G2")?.roster.status).toBe("failed");
    expect(r.groups.find((g) => g.id === "G2-pe")?.roster.status).toBe("read");
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.groupRosterFailed, externalId: "G2" }));
  });

  it("keeps the first of two different groups with one id and warns", () => {
    const tt = timetable();
    tt.Groups.push({ ClassId: "6", Id: "G1", Abbrev: "x", Name: "other" });
    const { roster: r, warnings } = roster({ tt });
    expect(r.groups.filter((g) => g.id === "G1")).toHaveLength(1);
    expect(r.groups.find((g) => g.id === "G1")?.classId).toBe(" 6");
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.duplicateId, externalId: "G1", entity: "group" }));
  });

  it("does not read the roster of a group whose class the timetable does not list", () => {
    const tt = timetable();
    tt.Groups.push({ ClassId: "C404", Id: "G404", Abbrev: "x", Name: "" });
    const cb = classbook();
    cb.Days[1]!.Hours.push({ Id: 5, LessonId: "L404", Subject: { Id: "7", Abbrev: "Tv", Name: "" }, Groups: [cbGroup("C404", "G404")] });
    const { lessons } = assemble({ tt, cb });
    expect(lessons.map((l) => l.lessonId)).not.toContain("L404");
    const { roster: r, warnings } = roster({ tt, cb });
    // Nothing is known of its class, so the group is not part of the roster at all.
    expect(r.groups.map((g) => g.id)).not.toContain("G404");
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.unknownReference, externalId: "G404" }));
    // A class book showing a class the timetable lacks: the timetable is not the whole school.
    expect(r.scope.catalogComplete).toBe(false);
    expect(r.scope.studentsComplete).toEqual([" 6", "6"]);
    expect(r.scope.subjectsComplete).toEqual([]);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        code: ROSTER_WARNING.accountScope,
        message: expect.stringMatching(/classes the account's timetable does not list/),
      }),
    );
  });

  it("ignores atoms of unknown groups, subjects and teachers with one warning each", () => {
    const tt = timetable();
    const atom = { HourId: 9, RoomId: "R1", CycleIds: [], Change: null };
    tt.Days[0]!.Atoms.push({ ...atom, GroupIds: ["G-none"], SubjectId: "7", TeacherId: "T1" });
    tt.Days[0]!.Atoms.push({ ...atom, GroupIds: ["G1"], SubjectId: "S-none", TeacherId: "T1" });
    tt.Days[0]!.Atoms.push({ ...atom, GroupIds: ["G1"], SubjectId: "S-none", TeacherId: "T1" });
    tt.Days[0]!.Atoms.push({ ...atom, GroupIds: ["G2"], SubjectId: "7", TeacherId: "T-none" });
    const { roster: r, warnings } = roster({ tt });
    const unknown = warnings.filter((w) => w.code === ROSTER_WARNING.unknownReference).map((w) => [w.entity, w.externalId]);
    expect(unknown).toEqual([
      ["group", "G-none"],
      ["subject", "S-none"],
      ["teacher", "T-none"],
    ]);
    // The atom with an unknown teacher still tells the group's subject.
    expect(r.studentEnrollments).toContainEqual({ userId: "S4", subjectId: "7", classId: "6" });
    expect(r.teachingAssignments.map((t) => t.userId)).not.toContain("T-none");
  });

  it("never puts a name into a warning", () => {
    const tt = timetable();
    tt.Classes.push({ Id: "C9", Abbrev: "9.Z", Name: 42 as unknown as string });
    tt.Groups.push({ ClassId: "6", Id: "G1", Abbrev: "x", Name: "Karel Král" });
    const abs = absences();
    const l1 = abs.L1 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] };
    l1.AbsencesGroups[0]!.StudentsAbsences.push({ Student: { Id: "S3", Abbrev: "", Name: "Eva Černá" } });
    const { warnings } = roster({ tt, abs });
    expect(warnings.length).toBeGreaterThan(1);
    const text = JSON.stringify(warnings);
    for (const name of NAMES) expect(text).not.toContain(name);
  });
});

describe("assembleRoster on students in two classes", () => {
  it("takes the class holding most of the student's groups and warns naming the student id", () => {
    const abs = absences();
    const l1 = abs.L1 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] };
    l1.AbsencesGroups[0]!.StudentsAbsences.push({ Student: { Id: "S3", Abbrev: "", Name: "Eva Černá" } });
    const { roster: r, warnings } = roster({ abs });
    expect(r.students.find((s) => s.id === "S3")?.classId).toBe("6");
    expect(r.students.filter((s) => s.id === "S3")).toHaveLength(1);
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.studentInTwoClasses, externalId: "S3" }));
    // Enrollments follow each group's class.
    expect(r.studentEnrollments).toContainEqual({ userId: "S3", subjectId: "U  12", classId: " 6" });
  });

  it("breaks a tie by the smallest class id, byte for byte", () => {
    const abs = absences();
    const l3 = abs.L3 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] };
    l3.AbsencesGroups[0]!.StudentsAbsences.push({ Student: { Id: "S2", Abbrev: "", Name: "" } });
    const { roster: r } = roster({ abs });
    expect(r.students.find((s) => s.id === "S2")?.classId).toBe(" 6");
  });
});

describe("assembleRoster on incomplete rosters", () => {
  it("in the holidays gives every group no_lesson, no students, and a warning, not a failure", () => {
    const cb = { Hours: [], Days: [{ Date: "2026-07-06T00:00:00+02:00", DayType: "Holiday", Hours: [] }] };
    const { lessons } = assemble({ cb });
    expect(lessons).toEqual([]);
    const { roster: r, warnings } = roster({ cb });
    expect(r.classes).toHaveLength(2);
    expect(r.teachingAssignments).toHaveLength(4);
    expect(r.groups.every((g) => g.roster.status === "no_lesson")).toBe(true);
    expect(r.students).toEqual([]);
    expect(r.studentEnrollments).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual([ROSTER_WARNING.noRosters]);
    expect(warnings[0]?.message).toMatch(/Rosters could not be read/);
    expect(reasons(r)).toEqual({ " 6": "holidays", "6": "holidays" });
    expect(r.scope).toMatchObject({ catalogComplete: true, studentsComplete: [], subjectsComplete: [] });
  });

  it("names the window in the holiday warning", () => {
    const cb = { Hours: [], Days: [] };
    const { warnings } = roster({ cb }, { window: { from: "2026-07-01", to: "2026-07-14" } });
    expect(warnings).toEqual([
      expect.objectContaining({ code: ROSTER_WARNING.noRosters, message: expect.stringContaining("from 2026-07-01 to 2026-07-14") }),
    ]);
  });

  it("marks a group without a lesson no_lesson with a warning, and reads the others", () => {
    const cb = classbook();
    cb.Days[1]!.Hours = cb.Days[1]!.Hours.filter((h) => h.LessonId !== "L2");
    const { roster: r, warnings } = roster({ cb });
    expect(r.groups.find((g) => g.id === "G1-en1")?.roster).toEqual({ status: "no_lesson" });
    expect(r.groups.find((g) => g.id === "G1")?.roster.status).toBe("read");
    expect(warnings).toEqual([expect.objectContaining({ code: ROSTER_WARNING.groupNoLesson, externalId: "G1-en1", entity: "group" })]);
    expect(r.studentEnrollments).not.toContainEqual({ userId: " 1", subjectId: "U 12", classId: " 6" });
    expect(reasons(r)).toEqual({ " 6": "no_lesson" });
    expect(r.scope.studentsComplete).toEqual(["6"]);
  });

  it("marks the groups of a failed absence request failed, warns, and goes on", () => {
    const { roster: r, warnings } = roster({ failed: { L3: "GET /api/3/lesson/L3/absence failed after 4 attempts (HTTP 503)" } });
    expect(r.groups.find((g) => g.id === "G2")?.roster).toEqual({ status: "failed", reason: expect.stringContaining("HTTP 503") });
    expect(r.groups.find((g) => g.id === "G2-pe")?.roster.status).toBe("failed");
    expect(r.students.map((s) => s.id)).toEqual([" 1", "1", "S2"]);
    expect(warnings.filter((w) => w.code === ROSTER_WARNING.groupRosterFailed).map((w) => w.externalId)).toEqual(["G2", "G2-pe"]);
    expect(reasons(r)).toEqual({ "6": "request_failed" });
    expect(r.scope.studentsComplete).toEqual([" 6"]);
  });

  it("fails a group missing from its lesson's absence list (a truncated list)", () => {
    const abs = absences();
    (abs.L3 as { AbsencesGroups: unknown[] }).AbsencesGroups.pop();
    const { roster: r } = roster({ abs });
    expect(r.groups.find((g) => g.id === "G2-pe")?.roster).toEqual({ status: "failed", reason: expect.stringContaining("missing") });
    expect(r.groups.find((g) => g.id === "G2")?.roster.status).toBe("read");
  });
});

/** The fixture timetable with only these groups (and the atoms of only these groups). */
function timetableOf(groupIds: string[]) {
  const tt = timetable();
  tt.Groups = tt.Groups.filter((g) => groupIds.includes(g.Id));
  for (const d of tt.Days) d.Atoms = d.Atoms.filter((a) => a.GroupIds.every((id) => groupIds.includes(id)));
  return tt;
}

/** A class book of one school day with these lessons. */
const classbookOf = (...hours: { LessonId: string; Groups: ReturnType<typeof cbGroup>[] }[]) => ({
  Hours: [],
  Days: [{ Date: "2026-03-09T00:00:00+01:00", DayType: "WorkDay", Hours: hours.map((h, i) => ({ Id: i + 2, ...h })) }],
});

describe("what a run saw whole: scope and coverage", () => {
  it("a teacher's timetable is not the whole school, and its classes' students are complete only with the whole-class group read", () => {
    // The teacher teaches English to half of 1.A (a split group) and mathematics to all of 1.B.
    const tt = timetableOf(["G1-en1", "G2"]);
    const cb = classbookOf(
      { LessonId: "L2", Groups: [cbGroup(" 6", "G1-en1", "en1")] },
      { LessonId: "L3", Groups: [cbGroup("6", "G2", "1.B")] },
    );
    const { roster: r, warnings } = roster({ tt, cb }, { userType: "teacher" });
    expect(r.groups.map((g) => [g.id, g.roster.status])).toEqual([
      ["G1-en1", "read"],
      ["G2", "read"],
    ]);
    expect(r.students.map((s) => [s.id, s.classId])).toEqual([
      [" 1", " 6"],
      ["S3", "6"],
      ["S4", "6"],
    ]);
    expect(r.scope).toMatchObject({ catalogComplete: false, studentsComplete: ["6"], subjectsComplete: [], dropped: [] });
    expect(reasons(r)).toEqual({ " 6": "no_whole_class_group" });
    expect(r.coverage.account.type).toBe("teacher");
    expect(r.coverage.rosters).toMatchObject({ classes: 2, classesRead: 1, classesExempt: 1, classesSubjectsUnverified: 1 });
    const scope = warnings.filter((w) => w.code === ROSTER_WARNING.accountScope).map((w) => w.message);
    expect(scope).toEqual([
      expect.stringMatching(/Only split groups of 1 class/),
      expect.stringMatching(/a teacher's timetable holds only its own lessons/),
    ]);

    // The class book shows the whole class of 1.A as well: it joins the catalog, is read, and 1.A is complete.
    const withWhole = classbookOf(...cb.Days[0]!.Hours, { LessonId: "L1", Groups: [cbGroup(" 6", "G1", "1.A")] });
    const { roster: whole } = roster({ tt, cb: withWhole }, { userType: "teacher" });
    expect(whole.groups.find((g) => g.id === "G1")).toEqual({
      id: "G1",
      classId: " 6",
      abbrev: "1.A",
      name: "G1",
      roster: { status: "read", studentIds: [" 1", "1", "S2"] },
    });
    expect(whole.scope).toMatchObject({ catalogComplete: false, studentsComplete: [" 6", "6"], subjectsComplete: [], dropped: [] });
    expect(whole.coverage.rosters).toMatchObject({ classesRead: 2, classesExempt: 0, classesSubjectsUnverified: 2, exempt: [] });
  });

  it("exempts a class whose whole-class group is not known, even when all its split groups were read", () => {
    // Before, every known group read made a class complete; a pupil in no split group would then look gone.
    const tt = timetableOf(["G1-en1", "G2", "G2-pe"]);
    const cb = classbook();
    cb.Days = cb.Days.map((d) => ({ ...d, Hours: d.Hours.filter((h) => h.LessonId !== "L0" && h.LessonId !== "L1") }));
    const { roster: r, warnings } = roster({ tt, cb });
    expect(r.groups.find((g) => g.id === "G1-en1")?.roster).toEqual({ status: "read", studentIds: [" 1"] });
    expect(reasons(r)).toEqual({ " 6": "no_whole_class_group" });
    expect(r.scope).toMatchObject({ catalogComplete: true, studentsComplete: ["6"], subjectsComplete: ["6"], dropped: [] });
    expect(codes(warnings)).toEqual([ROSTER_WARNING.accountScope]);
    expect(warnings[0]?.message).toMatch(/Only split groups of 1 class\(es\) were read \(" 6"\)/);
  });

  it("takes a group whose Abbrev is the class's own, spaces aside, for the whole class", () => {
    const tt = timetable();
    for (const g of tt.Groups) if (g.Id === "G1") g.Abbrev = " 1.A ";
    const { roster: r } = roster({ tt });
    expect(r.scope.studentsComplete).toEqual([" 6", "6"]);
  });

  it("warns BAKALARI_SCOPE_MISMATCH, never BAKALARI_NO_ROSTERS, for a class book whose lessons are all of other classes", () => {
    const cb = classbookOf(
      { LessonId: "L9", Groups: [cbGroup("C9", "G9", "9.A")] },
      { LessonId: "L10", Groups: [cbGroup("C9", "G9-x", "x")] },
    );
    const { lessons } = assemble({ cb });
    expect(lessons).toEqual([]);
    const { roster: r, warnings } = roster({ cb });
    expect(codes(warnings)).toContain(ROSTER_WARNING.scopeMismatch);
    expect(codes(warnings)).not.toContain(ROSTER_WARNING.noRosters);
    expect(warnings.find((w) => w.code === ROSTER_WARNING.scopeMismatch)?.message).toMatch(
      /2 lessons of 2 groups, none of which belongs to a class of the timetable/,
    );
    expect(r.students).toEqual([]);
    expect(r.groups.map((g) => g.id)).toEqual(["G1", "G1-en1", "G2", "G2-pe"]);
    expect(r.groups.every((g) => g.roster.status === "no_lesson")).toBe(true);
    expect(reasons(r)).toEqual({ " 6": "not_in_classbook", "6": "not_in_classbook" });
    // The class book shows classes the timetable lacks: the timetable is not the whole school.
    expect(r.scope).toMatchObject({ catalogComplete: false, studentsComplete: [], subjectsComplete: [], dropped: [] });
  });

  it("warns BAKALARI_NO_ROSTERS (holidays) for a class book with no lesson at all, and keeps the catalog complete", () => {
    const { roster: r, warnings } = roster({ cb: { Hours: [], Days: [] } });
    expect(codes(warnings)).toEqual([ROSTER_WARNING.noRosters]);
    expect(reasons(r)).toEqual({ " 6": "holidays", "6": "holidays" });
    expect(r.scope).toMatchObject({ catalogComplete: true, studentsComplete: [], subjectsComplete: [], dropped: [] });
    expect(r.coverage.rosters).toMatchObject({ groups: 4, groupsRead: 0, classes: 2, classesRead: 0, classesExempt: 2 });
  });

  it.each([
    ["a student", "student"],
    ["a parent", "parents"],
  ])("reads no class book for %s account: every class account_scope, no students, the catalog not whole", (_name, userType) => {
    const a = assemble({}, { userType });
    expect(a.classbook).toBeNull();
    expect(a.lessons).toEqual([]);
    const { roster: r, warnings } = roster({}, { userType });
    expect(r.students).toEqual([]);
    expect(r.studentEnrollments).toEqual([]);
    expect(r.classes).toHaveLength(2);
    expect(r.teachingAssignments).toHaveLength(4);
    expect(reasons(r)).toEqual({ " 6": "account_scope", "6": "account_scope" });
    expect(r.scope).toMatchObject({ catalogComplete: false, studentsComplete: [], subjectsComplete: [], dropped: [] });
    expect(codes(warnings).length).toBeGreaterThan(0);
    expect(new Set(codes(warnings))).toEqual(new Set([ROSTER_WARNING.accountScope]));
    expect(warnings[0]?.message).toContain(`UserType ${JSON.stringify(userType)}`);
  });

  it("reads no roster from a class book the account was refused: every class account_scope, no students", () => {
    const { roster: r, warnings } = roster({ cb: null });
    expect(r.students).toEqual([]);
    expect(reasons(r)).toEqual({ " 6": "account_scope", "6": "account_scope" });
    expect(r.scope.studentsComplete).toEqual([]);
    expect(r.scope.subjectsComplete).toEqual([]);
    expect(codes(warnings)).toEqual([ROSTER_WARNING.accountScope]);
  });

  it.each([
    ["headmastership", true],
    ["HEADMASTERSHIP", true],
    // A type nobody has documented is not refused: the account read the whole class book.
    ["director", true],
    ["teacher", false],
    ["Teachers", false],
    [null, false],
  ] as const)("takes the catalog as the whole school for UserType %j: %s", (userType, whole) => {
    const { roster: r, warnings } = roster({}, { userType });
    expect(r.scope.catalogComplete).toBe(whole);
    // Every roster was read either way; only the subjects of a partial catalog are unverified.
    expect(r.scope.studentsComplete).toEqual([" 6", "6"]);
    expect(r.scope.subjectsComplete).toEqual(whole ? [" 6", "6"] : []);
    expect(r.coverage.account.type).toBe(userType);
    expect(r.coverage.rosters.classesSubjectsUnverified).toBe(whole ? 0 : 2);
    expect(codes(warnings)).toEqual(whole ? [] : [ROSTER_WARNING.accountScope]);
    if (userType === null) expect(warnings[0]?.message).toMatch(/type could not be read/);
  });

  it("adds the class book's groups of listed classes to the catalog and reads their rosters", () => {
    // The timetable does not show the PE group; the class book does.
    const tt = timetableOf(["G1", "G1-en1", "G2"]);
    const { roster: r, warnings } = roster({ tt });
    expect(warnings).toEqual([]);
    expect(r.groups.find((g) => g.id === "G2-pe")).toEqual({
      id: "G2-pe",
      classId: "6",
      abbrev: "G2-pe",
      name: "G2-pe",
      roster: { status: "read", studentIds: ["S3"] },
    });
    expect(r.coverage.catalog.groups).toBe(4);
    expect(r.coverage.rosters).toMatchObject({ groups: 4, groupsRead: 4 });
    expect(r.scope).toMatchObject({ catalogComplete: true, studentsComplete: [" 6", "6"], subjectsComplete: [" 6", "6"], dropped: [] });
    // Its subjects come only from the timetable's atoms: none here.
    expect(r.studentEnrollments).not.toContainEqual({ userId: "S3", subjectId: "7", classId: "6" });
  });

  it("exempts every class when a group record was dropped (its class is unknown)", () => {
    const tt = timetable();
    tt.Groups.push({ ClassId: "6", Id: "G9", Abbrev: 5 as unknown as string, Name: "" });
    const { roster: r, warnings } = roster({ tt });
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.recordInvalid, externalId: "G9", entity: "group" }));
    expect(r.students).toHaveLength(5);
    expect(reasons(r)).toEqual({ " 6": "invalid_record", "6": "invalid_record" });
    expect(r.scope).toMatchObject({
      catalogComplete: true,
      studentsComplete: [],
      subjectsComplete: [],
      dropped: [{ entity: "group", externalId: "G9" }],
    });
  });

  it("hands on every dropped record, by kind and id, in the scope", () => {
    const tt = timetable();
    tt.Classes.push({ Id: "C9", Abbrev: "9.Z", Name: 42 as unknown as string });
    tt.Teachers.push({ Id: "", Abbrev: "X", Name: "Karel Král" });
    const abs = absences();
    (abs.L3 as { AbsencesGroups: { StudentsAbsences: unknown[] }[] }).AbsencesGroups[0]!.StudentsAbsences.push({
      Student: { Id: "S5", Abbrev: "", Name: null },
    });
    const { roster: r } = roster({ tt, abs });
    expect(r.scope.dropped).toEqual([
      { entity: "class", externalId: "C9" },
      { entity: "teacher" },
      { entity: "student", externalId: "S5" },
    ]);
    // No group was dropped: the classes are still seen whole.
    expect(r.scope.studentsComplete).toEqual([" 6", "6"]);
  });

  it("counts what it saw so that the numbers add up, whatever the run met", () => {
    const tt = timetable();
    tt.Groups.push({ ClassId: "6", Id: "G9", Abbrev: 5 as unknown as string, Name: "" });
    const noEnglish = classbook();
    noEnglish.Days[1]!.Hours = noEnglish.Days[1]!.Hours.filter((h) => h.LessonId !== "L2");
    const runs: [string, Partial<Payloads>, AssembleOptions][] = [
      ["whole school", {}, {}],
      ["holidays", { cb: { Hours: [], Days: [] } }, {}],
      ["a failed list", { failed: { L3: "HTTP 503" } }, {}],
      ["a group without a lesson", { cb: noEnglish }, {}],
      ["a teacher", { tt: timetableOf(["G1-en1", "G2"]) }, { userType: "teacher" }],
      [
        "split groups only",
        { tt: timetableOf(["G1-en1", "G2", "G2-pe"]), cb: classbookOf({ LessonId: "L2", Groups: [cbGroup(" 6", "G1-en1")] }) },
        {},
      ],
      ["a student", {}, { userType: "student" }],
      ["a refused class book", { cb: null }, {}],
      ["an unknown type", {}, { userType: null }],
      ["a dropped group", { tt }, {}],
      ["other classes only", { cb: classbookOf({ LessonId: "L9", Groups: [cbGroup("C9", "G9")] }) }, {}],
    ];
    for (const [name, p, options] of runs) {
      const { roster: r } = roster(p, options);
      const c = r.coverage.rosters;
      const what = `${name}: ${JSON.stringify(r.coverage)}`;
      expect(c.classes, what).toBe(r.classes.length);
      expect(c.classesRead + c.classesExempt, what).toBe(c.classes);
      expect(c.classesRead, what).toBe(r.scope.studentsComplete.length);
      expect(c.exempt.length, what).toBe(c.classesExempt);
      expect(c.classesSubjectsUnverified, what).toBe(r.scope.studentsComplete.length - r.scope.subjectsComplete.length);
      expect(c.groups, what).toBe(r.groups.length);
      expect(c.groupsRead, what).toBe(r.groups.filter((g) => g.roster.status === "read").length);
      expect(r.coverage.catalog, what).toMatchObject({
        classes: r.classes.length,
        subjects: r.subjects.length,
        teachers: r.teachers.length,
        groups: r.groups.length,
      });
      // Every class is either read or exempt, once.
      const ids = [...r.scope.studentsComplete, ...c.exempt.map((e) => e.classId)].sort();
      expect(ids, what).toEqual(r.classes.map((k) => k.id).sort());
      for (const id of r.scope.subjectsComplete) expect(r.scope.studentsComplete, what).toContain(id);
    }
  });
});

describe("assembleRoster refuses a broken feed", () => {
  it("fails with BAKALARI_EMPTY_FEED when the timetable lists no classes", () => {
    const tt = { ...timetable(), Classes: [] };
    expect(failure({ tt }).code).toBe("BAKALARI_EMPTY_FEED");
  });

  it("fails with BAKALARI_EMPTY_FEED when the rosters that were read hold no student", () => {
    const abs = absences();
    for (const id of ["L1", "L2", "L3"]) {
      for (const g of (abs[id] as { AbsencesGroups: { StudentsAbsences: unknown[] }[] }).AbsencesGroups) g.StudentsAbsences = [];
    }
    const e = failure({ abs });
    expect(e.code).toBe("BAKALARI_EMPTY_FEED");
    expect(e.message).toMatch(/hold no student/);
  });

  it("fails with BAKALARI_UNAVAILABLE when every absence request failed", () => {
    const e = failure({ failed: { L1: "HTTP 503", L2: "HTTP 503", L3: "timeout" } });
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.message).toContain("3 of 3");
  });
});

describe("payload parsing", () => {
  it("fails a body that is not JSON with BAKALARI_PAYLOAD naming the endpoint", () => {
    try {
      parseTimetable("<html>oops", TT);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BakalariError);
      expect((e as BakalariError).code).toBe("BAKALARI_PAYLOAD");
      expect((e as BakalariError).message).toContain(TT);
      expect((e as BakalariError).endpoint).toBe("/api/3/timetable/permanent");
    }
  });

  it("skips silently an atom with no subject, teacher or group (a lesson taken out of the timetable)", () => {
    const tt = timetable();
    tt.Days[0]!.Atoms.push({
      HourId: 9,
      GroupIds: [],
      SubjectId: null as unknown as string,
      TeacherId: null as unknown as string,
      RoomId: "R1",
      CycleIds: [],
      Change: null,
    });
    const parsed = parseTimetable(JSON.stringify(tt), TT);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.dropped).toEqual([]);
    expect(parsed.value.atoms).toHaveLength(5);
  });

  it("reads the class book's groups and subject of each lesson", () => {
    const parsed = parseClassbook(JSON.stringify(classbook()), CB);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value.lessons.find((l) => l.lessonId === "L3")).toEqual({
      lessonId: "L3",
      date: "2026-03-09T00:00:00+01:00",
      groupIds: ["G2", "G2-pe"],
      groups: [
        { id: "G2", classId: "6", abbrev: "G2", name: "G2" },
        { id: "G2-pe", classId: "6", abbrev: "G2-pe", name: "G2-pe" },
      ],
      subject: { id: "U  12", abbrev: "M", name: "" },
    });
  });

  it("fails JSON of the wrong overall shape with BAKALARI_PAYLOAD naming the endpoint and the field", () => {
    const { Classes: _, ...noClasses } = timetable();
    expect(() => parseTimetable(JSON.stringify(noClasses), TT)).toThrowError(/timetable\/permanent.*Classes/);
    expect(() => parseClassbook(JSON.stringify({ Days: "none" }), CB)).toThrowError(/classbook.*Days/);
    expect(() => parseAbsenceList("[]", "GET /api/3/lesson/L1/absence")).toThrowError(/lesson\/L1\/absence/);
  });
});
