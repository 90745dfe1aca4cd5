/**
 * Builds Roster snapshots for engine tests: small synthetic schools, and a
 * fast-check arbitrary of random schools. The engine's input is a Roster, so
 * these feed runSync directly; the Bakaláři source has its own tests against the fake.
 */
import fc from "fast-check";
import type { Coverage, Roster, RosterGroup, RosterScope } from "../../src/bakalari/roster";
import type { ExpectedRoster } from "../../dev/fake-bakalari/control";

export type School = {
  classes: { id: string; abbrev: string; name: string }[];
  subjects: { id: string; abbrev: string; name: string }[];
  teachers: { id: string; abbrev: string; name: string }[];
  students: { id: string; name: string; classId: string }[];
  /** Which subjects each class has, and who teaches each. */
  teaching: { classId: string; subjectId: string; teacherId: string }[];
  /** Classes whose (single, whole-class) group roster could not be read. */
  unread?: { classId: string; status: "no_lesson" | "failed" }[];
};

/** One whole-class group per class; every student takes every subject of their class. */
export function rosterOf(school: School): Roster {
  const unread = new Map((school.unread ?? []).map((u) => [u.classId, u.status]));
  const groups: RosterGroup[] = school.classes.map((c) => {
    const status = unread.get(c.id);
    return {
      id: `G${c.id}`,
      classId: c.id,
      abbrev: c.abbrev,
      name: "celá třída",
      roster:
        status === "no_lesson"
          ? { status: "no_lesson" }
          : status === "failed"
            ? { status: "failed", reason: "test" }
            : { status: "read", studentIds: school.students.filter((s) => s.classId === c.id).map((s) => s.id) },
    };
  });
  const readStudents = school.students.filter((s) => !unread.has(s.classId));
  const read = school.classes.filter((c) => !unread.has(c.id)).map((c) => c.id);
  return {
    classes: school.classes,
    groups,
    subjects: school.subjects,
    teachers: school.teachers,
    students: readStudents,
    studentEnrollments: readStudents.flatMap((s) =>
      school.teaching.filter((t) => t.classId === s.classId).map((t) => ({ userId: s.id, subjectId: t.subjectId, classId: s.classId })),
    ),
    teachingAssignments: school.teaching.map((t) => ({ userId: t.teacherId, subjectId: t.subjectId, classId: t.classId })),
    warnings: [],
    scope: wholeSchoolScope(read),
    coverage: coverageOf(school.classes.length, read.length),
  };
}

/** A source that saw the whole school, with the rosters of these classes read whole. */
export function wholeSchoolScope(classesRead: string[]): RosterScope {
  return { catalogComplete: true, studentsComplete: classesRead, subjectsComplete: classesRead, teachersPartial: [], dropped: [] };
}

/** A coverage of plausible counts, for snapshots made by hand. */
export function coverageOf(classes: number, classesRead: number): Coverage {
  return {
    account: { type: "headmastership" },
    catalog: { classes, teachers: 0, subjects: 0, groups: classes, publicTimetable: "off", publicTimetableReadAt: null },
    rosters: {
      groups: classes,
      groupsRead: classesRead,
      groupsReused: 0,
      oldestReusedAt: null,
      classes,
      classesRead,
      classesExempt: classes - classesRead,
      classesSubjectsUnverified: 0,
      exempt: [],
    },
  };
}

/** The fake school's truth as a Roster whose every roster was read (for comparing the database with it). */
export function asRoster(expected: ExpectedRoster): Roster {
  const all = expected.classes.map((c) => c.id);
  return { ...expected, groups: [], warnings: [], scope: wholeSchoolScope(all), coverage: coverageOf(all.length, all.length) };
}

/** A deterministic school: ids include padded ones (" 6", "U  12") on purpose. */
export function makeSchool(options: { classes?: number; studentsPerClass?: number; subjects?: number; teachers?: number } = {}): School {
  const nClasses = options.classes ?? 4;
  const perClass = options.studentsPerClass ?? 10;
  const nSubjects = options.subjects ?? 5;
  const nTeachers = options.teachers ?? 6;
  const classes = Array.from({ length: nClasses }, (_, i) => ({
    id: i % 2 === 0 ? ` ${i + 1}` : `C${i + 1}`,
    abbrev: `${i + 1}.A`,
    name: `Třída ${i + 1}.A`,
  }));
  const subjects = Array.from({ length: nSubjects }, (_, i) => ({ id: `S${i}`, abbrev: `P${i}`, name: i === 0 ? "" : `Předmět ${i}` }));
  const teachers = Array.from({ length: nTeachers }, (_, i) => ({ id: `T${i}`, abbrev: `UČ${i}`, name: `Učitel Číslo ${i}` }));
  const students = classes.flatMap((c, ci) =>
    Array.from({ length: perClass }, (_, i) => ({
      id: i % 3 === 0 ? `U  ${ci * perClass + i}` : `U ${ci * perClass + i}`,
      name: `Žák Příjmení ${ci}-${i}`,
      classId: c.id,
    })),
  );
  const teaching = classes.flatMap((c, ci) =>
    subjects.map((s, si) => ({ classId: c.id, subjectId: s.id, teacherId: teachers[(ci + si) % nTeachers]!.id })),
  );
  return { classes, subjects, teachers, students, teaching };
}

const idChars = fc.constantFrom("A", "B", "1", "2", " ", "Č");
const id = (prefix: string) => fc.string({ unit: idChars, minLength: 1, maxLength: 3 }).map((s) => `${prefix}${s}`);
const name = fc.string({ unit: fc.constantFrom("a", "b", "ř", "Ž", " ", "'", '"', "\\", ","), minLength: 0, maxLength: 6 });

/** Random complete schools (every roster read); ids that differ only by spaces are distinct records. */
export const schoolArbitrary: fc.Arbitrary<School> = fc
  .record({
    classes: fc.uniqueArray(fc.record({ id: id("C"), abbrev: fc.string({ minLength: 1, maxLength: 3 }), name }), {
      minLength: 1,
      maxLength: 5,
      selector: (c) => c.id,
    }),
    subjects: fc.uniqueArray(fc.record({ id: id("S"), abbrev: fc.string({ minLength: 1, maxLength: 3 }), name }), {
      minLength: 1,
      maxLength: 5,
      selector: (s) => s.id,
    }),
    teachers: fc.uniqueArray(fc.record({ id: id("T"), abbrev: fc.string({ minLength: 1, maxLength: 3 }), name }), {
      minLength: 1,
      maxLength: 4,
      selector: (t) => t.id,
    }),
    studentSeeds: fc.uniqueArray(fc.record({ id: id("U"), name, classPick: fc.nat() }), {
      minLength: 1,
      maxLength: 12,
      selector: (s) => s.id,
    }),
    teachingSeeds: fc.array(fc.record({ classPick: fc.nat(), subjectPick: fc.nat(), teacherPick: fc.nat() }), {
      minLength: 1,
      maxLength: 10,
    }),
  })
  .map(({ classes, subjects, teachers, studentSeeds, teachingSeeds }) => {
    const students = studentSeeds.map((s) => ({ id: s.id, name: s.name, classId: classes[s.classPick % classes.length]!.id }));
    const seen = new Set<string>();
    const teaching = teachingSeeds
      .map((t) => ({
        classId: classes[t.classPick % classes.length]!.id,
        subjectId: subjects[t.subjectPick % subjects.length]!.id,
        teacherId: teachers[t.teacherPick % teachers.length]!.id,
      }))
      .filter((t) => {
        const key = `${t.classId}|${t.subjectId}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    return { classes, subjects, teachers, students, teaching };
  });
