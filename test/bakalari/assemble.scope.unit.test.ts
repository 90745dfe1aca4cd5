/** What a run saw whole (scope) and what it could read (coverage), as assembleRoster says it. */
import { describe, expect, it } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import { absences, classbook, timetable } from "./fixtures";
import type { AssembleOptions, Payloads } from "../support/assemble";
import { assemble, cbGroup, classbookOf, codes, reasons, roster, timetableOf } from "./assembly";

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
