import { describe, expect, it } from "vitest";
import { assembleRoster, rosterLessons, type AbsenceResult } from "../../src/bakalari/assemble";
import { BakalariError, ROSTER_WARNING, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { parseAbsenceList, parseClassbook, parseTimetable } from "../../src/bakalari/schemas";
import { absences, classbook, NAMES, timetable } from "./fixtures";

const TT = "GET /api/3/timetable/permanent";
const cbGroup = (ClassId: string, Id: string) => ({ ClassId, Id, Abbrev: Id, Name: Id });
const CB = "GET /api/3/classbook";

type Payloads = {
  tt?: unknown;
  cb?: unknown;
  abs?: Record<string, unknown>;
  /** Lesson ids whose absence request failed, with the reason. */
  failed?: Record<string, string>;
};

/** Parses hand-written payloads and assembles them, as the source does, without I/O. */
function assemble(p: Payloads = {}) {
  const t = parseTimetable(JSON.stringify(p.tt ?? timetable()), TT);
  const c = parseClassbook(JSON.stringify(p.cb ?? classbook()), CB);
  const lessons = rosterLessons(t.value, c.value);
  const results = new Map<string, AbsenceResult>();
  const warnings: RosterWarning[] = [...t.warnings, ...c.warnings];
  const abs = p.abs ?? absences();
  for (const { lessonId } of lessons) {
    const reason = p.failed?.[lessonId];
    if (reason) {
      results.set(lessonId, { ok: false, reason });
      continue;
    }
    const parsed = parseAbsenceList(JSON.stringify(abs[lessonId]), `GET /api/3/lesson/${lessonId}/absence`);
    warnings.push(...parsed.warnings);
    results.set(lessonId, { ok: true, list: parsed.value });
  }
  const build = () => assembleRoster({ timetable: t.value, classbook: c.value, absences: results });
  return { lessons, build, parseWarnings: warnings };
}

function roster(p: Payloads = {}): { roster: Roster; warnings: RosterWarning[] } {
  const a = assemble(p);
  const r = a.build();
  return { roster: r, warnings: [...a.parseWarnings, ...r.warnings] };
}

function failure(p: Payloads): BakalariError {
  try {
    assemble(p).build();
  } catch (e) {
    if (e instanceof BakalariError) return e;
    throw e;
  }
  throw new Error("expected a BakalariError");
}

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
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: ROSTER_WARNING.recordInvalid, externalId: "C9", entity: "class" }),
    );
    const teacherWarning = warnings.find((w) => w.message.includes("Teachers[2]"));
    expect(teacherWarning).toMatchObject({ code: ROSTER_WARNING.recordInvalid });
    expect(teacherWarning?.externalId).toBeUndefined();
    expect(teacherWarning?.message).toContain(TT);
  });

  it("drops a malformed atom by position and a student record with a usable id by its id", () => {
    const tt = timetable();
    tt.Days[0]!.Atoms.push({ HourId: 9, GroupIds: ["G1"], SubjectId: 5 as unknown as string, TeacherId: "T1", RoomId: "R1", CycleIds: [], Change: null });
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
    expect(r.groups.find((g) => g.id === "G404")).toMatchObject({ classId: "C404", roster: { status: "failed" } });
    expect(warnings).toContainEqual(expect.objectContaining({ code: ROSTER_WARNING.unknownReference, externalId: "G404" }));
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
  });

  it("marks a group without a lesson no_lesson with a warning, and reads the others", () => {
    const cb = classbook();
    cb.Days[1]!.Hours = cb.Days[1]!.Hours.filter((h) => h.LessonId !== "L2");
    const { roster: r, warnings } = roster({ cb });
    expect(r.groups.find((g) => g.id === "G1-en1")?.roster).toEqual({ status: "no_lesson" });
    expect(r.groups.find((g) => g.id === "G1")?.roster.status).toBe("read");
    expect(warnings).toEqual([expect.objectContaining({ code: ROSTER_WARNING.groupNoLesson, externalId: "G1-en1", entity: "group" })]);
    expect(r.studentEnrollments).not.toContainEqual({ userId: " 1", subjectId: "U 12", classId: " 6" });
  });

  it("marks the groups of a failed absence request failed, warns, and goes on", () => {
    const { roster: r, warnings } = roster({ failed: { L3: "GET /api/3/lesson/L3/absence failed after 4 attempts (HTTP 503)" } });
    expect(r.groups.find((g) => g.id === "G2")?.roster).toEqual({ status: "failed", reason: expect.stringContaining("HTTP 503") });
    expect(r.groups.find((g) => g.id === "G2-pe")?.roster.status).toBe("failed");
    expect(r.students.map((s) => s.id)).toEqual([" 1", "1", "S2"]);
    expect(warnings.filter((w) => w.code === ROSTER_WARNING.groupRosterFailed).map((w) => w.externalId)).toEqual(["G2", "G2-pe"]);
  });

  it("fails a group missing from its lesson's absence list (a truncated list)", () => {
    const abs = absences();
    (abs.L3 as { AbsencesGroups: unknown[] }).AbsencesGroups.pop();
    const { roster: r } = roster({ abs });
    expect(r.groups.find((g) => g.id === "G2-pe")?.roster).toEqual({ status: "failed", reason: expect.stringContaining("missing") });
    expect(r.groups.find((g) => g.id === "G2")?.roster.status).toBe("read");
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

  it("fails JSON of the wrong overall shape with BAKALARI_PAYLOAD naming the endpoint and the field", () => {
    const { Classes: _, ...noClasses } = timetable();
    expect(() => parseTimetable(JSON.stringify(noClasses), TT)).toThrowError(/timetable\/permanent.*Classes/);
    expect(() => parseClassbook(JSON.stringify({ Days: "none" }), CB)).toThrowError(/classbook.*Days/);
    expect(() => parseAbsenceList("[]", "GET /api/3/lesson/L1/absence")).toThrowError(/lesson\/L1\/absence/);
  });
});

