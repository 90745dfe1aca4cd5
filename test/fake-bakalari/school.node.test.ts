/**
 * The school model as a client sees it over HTTP: determinism, sizes, ids, shapes,
 * and served payloads that agree with the `/_fake/expected` oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeBakalari } from "../../dev/fake-bakalari/server";
import type { ExpectedRoster, FakeControl, SchoolCounts } from "../../dev/fake-bakalari/control";
import {
  QUIET_WINDOW,
  canonical,
  classbookPath,
  firstLessonPerGroup,
  get,
  getJson,
  passwordLogin,
  readServedRoster,
  startSchool,
  useFakeSchool,
} from "./support";

type School = { fake: FakeBakalari; control: FakeControl };
let seven: School;
let sevenAgain: School;
let eight: School;

beforeAll(async () => {
  [seven, sevenAgain, eight] = await Promise.all([startSchool({ seed: 7 }), startSchool({ seed: 7 }), startSchool({ seed: 8 })]);
});
afterAll(async () => {
  await Promise.all([seven, sevenAgain, eight].map((s) => s?.fake.close()));
});

async function servedBytes(url: string) {
  const { access_token: token } = await passwordLogin(url);
  const timetable = await get(url, "/api/3/timetable/permanent", token);
  const classbook = await get(url, classbookPath(QUIET_WINDOW), token);
  const lessons = [...firstLessonPerGroup(JSON.parse(classbook.text)).values()];
  const absences = await Promise.all(lessons.slice(0, 5).map((id) => get(url, `/api/3/lesson/${id}/absence`, token)));
  const user = await get(url, "/api/3/user", token);
  const expected = await get(url, "/_fake/expected");
  return {
    timetable: timetable.text,
    classbook: classbook.text,
    absences: absences.map((a) => a.text),
    user: user.text,
    expected: expected.text,
  };
}

describe("determinism", () => {
  it("serves the same bytes and the same roster for the same seed, and a different school for another seed", async () => {
    const [a, b, c] = await Promise.all([servedBytes(seven.fake.url), servedBytes(sevenAgain.fake.url), servedBytes(eight.fake.url)]);
    expect(a.timetable.length).toBeGreaterThan(10_000);
    expect(b.timetable).toBe(a.timetable);
    expect(b.classbook).toBe(a.classbook);
    expect(b.absences).toEqual(a.absences);
    expect(b.user).toBe(a.user);
    expect(b.expected).toBe(a.expected);

    expect(c.timetable).not.toBe(a.timetable);
    expect(c.classbook).not.toBe(a.classbook);
    const [rosterA, rosterC] = [JSON.parse(a.expected), JSON.parse(c.expected)];
    expect(canonical(rosterC).students).not.toEqual(canonical(rosterA).students);
    expect(canonical(rosterC).studentEnrollments).not.toEqual(canonical(rosterA).studentEnrollments);
  });

  it("regenerates the same large school after a reset", async () => {
    const { control, fake } = await startSchool({ size: "large", seed: 42 });
    try {
      const first = await get(fake.url, "/_fake/expected");
      await control.reset({ size: "small", seed: 1 });
      expect((await get(fake.url, "/_fake/expected")).text).not.toBe(first.text);
      await control.reset({ size: "large", seed: 42 });
      expect((await get(fake.url, "/_fake/expected")).text).toBe(first.text);
    } finally {
      await fake.close();
    }
  });
});

/** What a school holds; students and enrollments vary with the seed, so within [least, most]. */
type Size = { classes: number; teachers: number; subjects: number; students: [number, number]; enrollments?: [number, number] };

function expectSize(counts: Omit<SchoolCounts, "groups">, size: Size): void {
  expect({ classes: counts.classes, teachers: counts.teachers, subjects: counts.subjects }).toEqual({
    classes: size.classes,
    teachers: size.teachers,
    subjects: size.subjects,
  });
  const within = (n: number, [least, most]: [number, number]) => expect(n >= least && n <= most, `${n} in [${least}, ${most}]`).toBe(true);
  within(counts.students, size.students);
  if (size.enrollments) within(counts.studentEnrollments + counts.teachingAssignments, size.enrollments);
}

const countsOf = (r: ExpectedRoster) => ({
  classes: r.classes.length,
  students: r.students.length,
  teachers: r.teachers.length,
  subjects: r.subjects.length,
  studentEnrollments: r.studentEnrollments.length,
  teachingAssignments: r.teachingAssignments.length,
});

describe("sizes", () => {
  const school = useFakeSchool({ size: "large", seed: 42 }, { resetEach: false });

  it("makes the large school: 120 classes, about 3,000 students, 200 teachers, 60 subjects, about 55,000 enrollments", async () => {
    const expected = await school.control.expected();
    expectSize(countsOf(expected), { classes: 120, teachers: 200, subjects: 60, students: [2900, 3100], enrollments: [50_000, 60_000] });
    // Every list is free of duplicates.
    expect(new Set(expected.students.map((s) => s.id)).size).toBe(expected.students.length);
    expect(new Set(expected.studentEnrollments.map((e) => JSON.stringify(e))).size).toBe(expected.studentEnrollments.length);
    expect(new Set(expected.teachingAssignments.map((e) => JSON.stringify(e))).size).toBe(expected.teachingAssignments.length);
  });

  it("serves the large school exactly as the oracle states it", async () => {
    const { access_token: token } = await passwordLogin(school.fake.url);
    const served = await readServedRoster(school.fake.url, token);
    expect(canonical(served)).toEqual(canonical(await school.control.expected()));
  });

  it("makes the medium and small schools, and any size by parameters", async () => {
    const medium = await school.control.reset({ size: "medium" });
    // More than 15,000 and fewer than 21,000 enrollments.
    expectSize(medium.counts, { classes: 40, teachers: 70, subjects: 40, students: [950, 1050], enrollments: [15_001, 20_999] });
    const small = await school.control.reset({ size: "small" });
    expectSize(small.counts, { classes: 8, teachers: 20, subjects: 18, students: [190, 210] });

    const custom = await school.control.reset({ classes: 3, studentsPerClass: 10, teachers: 4, subjects: 7 });
    expect(custom.params).toMatchObject({ classes: 3, studentsPerClass: 10, teachers: 4, subjects: 7 });
    const expected = await school.control.expected();
    expectSize(countsOf(expected), { classes: 3, teachers: 4, subjects: 7, students: [24, 36] });
    const { access_token: token } = await passwordLogin(school.fake.url);
    expect(canonical(await readServedRoster(school.fake.url, token))).toEqual(canonical(expected));
  });
});

describe("ids and names", () => {
  it("keeps padded ids, and two student ids that differ only by whitespace, distinct", async () => {
    for (const size of ["small", "large"] as const) {
      const { fake, control } = await startSchool({ size, seed: 3 });
      try {
        const expected = await control.expected();
        const studentIds = expected.students.map((s) => s.id);
        expect(studentIds).toContain("U  12");
        expect(studentIds).toContain("U 12");
        expect(expected.classes.map((c) => c.id)).toContain(" 6");
        expect(expected.subjects.some((s) => /^ \d$/.test(s.id))).toBe(true);
        const spaced = studentIds.filter((id) => /\s/.test(id)).length / studentIds.length;
        expect(spaced).toBeGreaterThan(0.1);
        expect(spaced).toBeLessThan(0.4);
        // Students and teachers share one id space: no id is both.
        const teacherIds = new Set(expected.teachers.map((t) => t.id));
        expect(studentIds.filter((id) => teacherIds.has(id))).toEqual([]);

        // Served byte for byte: both twins appear as different students of the first class.
        const { access_token: token } = await passwordLogin(fake.url);
        const timetable = await getJson(fake.url, "/api/3/timetable/permanent", token);
        expect(timetable.Classes[0].Id).toBe(" 6");
        expect(timetable.Groups.some((g: any) => /^\s/.test(g.Id))).toBe(true);
        const whole = timetable.Groups.find((g: any) => g.ClassId === " 6");
        const lesson = firstLessonPerGroup(await getJson(fake.url, classbookPath(QUIET_WINDOW), token)).get(whole.Id)!;
        const absence = await getJson(fake.url, `/api/3/lesson/${lesson}/absence`, token);
        const listed = absence.AbsencesGroups.flatMap((g: any) => g.StudentsAbsences.map((s: any) => s.Student.Id));
        expect(listed).toContain("U  12");
        expect(listed).toContain("U 12");
      } finally {
        await fake.close();
      }
    }
  });

  it("uses Czech names with diacritics, and an empty Name with a non-empty Abbrev on a few records", async () => {
    const { access_token: token } = await passwordLogin(seven.fake.url);
    const timetable = await getJson(seven.fake.url, "/api/3/timetable/permanent", token);
    for (const list of ["Classes", "Subjects", "Teachers"]) {
      const unnamed = timetable[list].filter((r: any) => r.Name === "");
      expect(unnamed.length, list).toBeGreaterThan(0);
      expect(unnamed.length, list).toBeLessThan(timetable[list].length / 4);
      for (const r of unnamed) expect(r.Abbrev, list).not.toBe("");
    }
    const expected = await seven.control.expected();
    const names = expected.students.map((s) => s.name).join(" ");
    expect(names).toMatch(/[ěščřžýáíéůúťďň]/);
    // Czech surnames change with gender: both forms of some surname are present.
    expect(names).toMatch(/(ová|ná|cká|ská|lá|rá) /);
    const unnamedSubject = timetable.Subjects.find((s: any) => s.Name === "");
    expect(expected.subjects.find((s) => s.id === unnamedSubject.Id)!.name).toBe(unnamedSubject.Abbrev);
  });
});

describe("payload shapes", () => {
  let token: string;
  let timetable: any;
  beforeAll(async () => {
    token = (await passwordLogin(seven.fake.url)).access_token;
    timetable = await getJson(seven.fake.url, "/api/3/timetable/permanent", token);
  });

  it("repeats identical entries in the timetable's Groups", () => {
    const byId = new Map<string, string[]>();
    for (const g of timetable.Groups) byId.set(g.Id, [...(byId.get(g.Id) ?? []), JSON.stringify(g)]);
    expect(timetable.Groups.length).toBeGreaterThan(byId.size);
    const repeated = [...byId.values()].filter((entries) => entries.length > 1);
    expect(repeated.length).toBeGreaterThanOrEqual(8);
    for (const entries of repeated) expect(new Set(entries).size).toBe(1);
  });

  it("teaches some subject both to a whole class and in its halves, which makes one enrollment", async () => {
    const subjectsOf = new Map<string, Set<string>>();
    for (const day of timetable.Days) {
      for (const atom of day.Atoms)
        for (const gid of atom.GroupIds) subjectsOf.set(gid, new Set([...(subjectsOf.get(gid) ?? []), atom.SubjectId]));
    }
    const groups = [...new Map(timetable.Groups.map((g: any) => [g.Id, g])).values()] as any[];
    const overlaps = groups.flatMap((whole) => {
      if (!/celá třída$/.test(whole.Name)) return [];
      const halves = groups.filter((g) => g.ClassId === whole.ClassId && / AJ\d$/.test(g.Abbrev));
      return halves.flatMap((half) =>
        [...subjectsOf.get(half.Id)!].filter((s) => subjectsOf.get(whole.Id)!.has(s)).map((s) => [whole.ClassId, s]),
      );
    });
    expect(overlaps.length).toBeGreaterThan(0);
    const expected = await seven.control.expected();
    const keys = expected.studentEnrollments.map((e) => JSON.stringify([e.userId, e.subjectId, e.classId]));
    expect(new Set(keys).size).toBe(keys.length);
    const [classId, subjectId] = overlaps[0]!;
    expect(expected.studentEnrollments.filter((e) => e.classId === classId && e.subjectId === subjectId).length).toBe(
      expected.students.filter((s) => s.classId === classId).length,
    );
  });

  it("types ids as strings and hours, days and registration numbers as numbers", async () => {
    const isId = (v: unknown) => typeof v === "string" && v !== "";
    for (const list of ["Classes", "Subjects", "Teachers", "Groups"])
      for (const r of timetable[list]) expect(isId(r.Id), `${list} ${JSON.stringify(r)}`).toBe(true);
    for (const g of timetable.Groups) expect(isId(g.ClassId)).toBe(true);
    for (const day of timetable.Days) {
      expect(typeof day.DayOfWeek).toBe("number");
      for (const atom of day.Atoms) {
        expect(typeof atom.HourId).toBe("number");
        expect(atom.GroupIds.length).toBeGreaterThan(0);
        for (const gid of atom.GroupIds) expect(isId(gid)).toBe(true);
        expect(isId(atom.SubjectId) && isId(atom.TeacherId)).toBe(true);
        expect(atom.Change).toBeNull();
      }
    }
    const classbook = await getJson(seven.fake.url, classbookPath(QUIET_WINDOW), token);
    const lessons = [...new Set(firstLessonPerGroup(classbook).values())];
    let unnamedStudents = 0;
    for (const id of lessons) {
      expect(isId(id)).toBe(true);
      const absence = await getJson(seven.fake.url, `/api/3/lesson/${id}/absence`, token);
      expect(absence.LessonId).toBe(id);
      for (const group of absence.AbsencesGroups) {
        for (const entry of group.StudentsAbsences) {
          expect(isId(entry.Student.Id)).toBe(true);
          expect(typeof entry.Student.RegistrationNumber).toBe("number");
          expect(typeof entry.Student.IsAdult).toBe("boolean");
          expect(entry.StudentReleased).toBe(false);
          expect(Array.isArray(entry.Absences)).toBe(true);
          if (entry.Student.Name === "") {
            unnamedStudents += 1;
            expect(entry.Student.Abbrev).not.toBe("");
          }
        }
      }
    }
    expect(unnamedStudents).toBeGreaterThan(0);
  });

  it("carries fields a client must ignore, on the root and on records of every payload", async () => {
    const extra = (record: object, known: string[]) => Object.keys(record).filter((k) => !known.includes(k));
    expect(extra(timetable, ["Hours", "Days", "Classes", "Groups", "Subjects", "Teachers"]).length).toBeGreaterThan(0);
    expect(extra(timetable.Classes[0], ["Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(extra(timetable.Groups[0], ["ClassId", "Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(extra(timetable.Subjects[0], ["Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(extra(timetable.Teachers[0], ["Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(
      extra(timetable.Days[0].Atoms[0], ["HourId", "GroupIds", "SubjectId", "TeacherId", "RoomId", "CycleIds", "Change"]).length,
    ).toBeGreaterThan(0);

    const classbook = await getJson(seven.fake.url, classbookPath(QUIET_WINDOW), token);
    const hour = classbook.Days[0].Hours[0];
    expect(extra(classbook, ["Days", "Hours"]).length).toBeGreaterThan(0);
    expect(extra(classbook.Days[0], ["Date", "DayType", "Hours"]).length).toBeGreaterThan(0);
    expect(extra(hour, ["Id", "LessonId", "Subject", "Groups"]).length).toBeGreaterThan(0);
    expect(extra(hour.Subject, ["Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(extra(hour.Groups[0], ["ClassId", "Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);

    const absence = await getJson(seven.fake.url, `/api/3/lesson/${hour.LessonId}/absence`, token);
    expect(extra(absence, ["LessonId", "AbsencesGroups"]).length).toBeGreaterThan(0);
    expect(extra(absence.AbsencesGroups[0], ["Group", "StudentsAbsences"]).length).toBeGreaterThan(0);
    expect(extra(absence.AbsencesGroups[0].Group, ["ClassId", "Id", "Abbrev", "Name"]).length).toBeGreaterThan(0);
    expect(
      extra(absence.AbsencesGroups[0].StudentsAbsences[0].Student, ["Id", "Abbrev", "Name", "RegistrationNumber", "IsAdult"]).length,
    ).toBeGreaterThan(0);

    const user = await getJson(seven.fake.url, "/api/3/user", token);
    expect(user).toMatchObject({ UserType: "headmastership", Class: { Id: null, Abbrev: null, Name: null } });
    expect(typeof user.UserUID).toBe("string");
    expect(typeof user.FullName).toBe("string");
    expect(user.EnabledModules.length).toBeGreaterThan(0);
    expect(extra(user, ["UserUID", "FullName", "UserType", "Class", "EnabledModules"]).length).toBeGreaterThan(0);
  });
});

describe("absence lists and the oracle", () => {
  it("serves rosters, subjects and teaching assignments that equal the model's", async () => {
    const { access_token: token } = await passwordLogin(eight.fake.url);
    const served = await readServedRoster(eight.fake.url, token);
    const expected = await eight.control.expected();
    expect(served.students.length).toBeGreaterThan(150);
    expect(canonical(served)).toEqual(canonical(expected));
  });

  it("lists every current member of each group of a lesson, PE of two classes included", async () => {
    const { access_token: token } = await passwordLogin(eight.fake.url);
    const classbook = await getJson(eight.fake.url, classbookPath(QUIET_WINDOW), token);
    const shared = classbook.Days.flatMap((d: any) => d.Hours).find((h: any) => h.Groups.length > 1);
    expect(shared).toBeDefined();
    expect(new Set(shared.Groups.map((g: any) => g.ClassId)).size).toBe(shared.Groups.length);
    const absence = await getJson(eight.fake.url, `/api/3/lesson/${shared.LessonId}/absence`, token);
    expect(absence.AbsencesGroups.map((g: any) => g.Group.Id)).toEqual(shared.Groups.map((g: any) => g.Id));
    for (const group of absence.AbsencesGroups) expect(group.StudentsAbsences.length).toBeGreaterThan(0);
  });
});
