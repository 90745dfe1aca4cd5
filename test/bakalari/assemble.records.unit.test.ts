/** assembleRoster on bad records, students in two classes, and rosters it could not read whole. */
import { describe, expect, it } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { absences, classbook, NAMES, timetable } from "./fixtures";
import { assemble, cbGroup, reasons, roster, TT } from "./assembly";

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
