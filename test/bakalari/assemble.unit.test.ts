/** assembleRoster on a well-formed school, on a feed it must refuse, and the payload parsers it reads. */
import { describe, expect, it } from "vitest";
import { BakalariError } from "../../src/bakalari/roster";
import { parseAbsenceList, parseClassbook, parseTimetable } from "../../src/bakalari/schemas";
import { absences, classbook, timetable } from "./fixtures";
import { assemble, CB, failure, roster, sortEnrollments, TT } from "./assembly";

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
