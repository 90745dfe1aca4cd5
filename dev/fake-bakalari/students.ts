/**
 * Students and their groups: a new student, and putting one into a class's groups or
 * taking them out. School generation and the changes between runs both use these.
 */
import type { Gender, Group, School, Student } from "./model";
import { personName } from "./names";
import type { Rng } from "./random";

/** A new student (in no group yet); `unnamed` gives the empty Name, `noAbbrev` the empty Abbrev, some real records have. */
export function createStudent(
  rng: Rng,
  school: School,
  id: string,
  gender: Gender,
  grade: number,
  unnamed = false,
  noAbbrev = false,
): Student {
  const { firstName, lastName } = personName(rng, gender);
  const student: Student = {
    id,
    name: unnamed ? "" : `${lastName} ${firstName}`,
    abbrev: noAbbrev ? "" : `${lastName} ${firstName[0]}.`,
    firstName,
    lastName,
    gender,
    classId: "",
    registrationNumber: 0,
    isAdult: grade >= 9 && rng.chance(0.1),
    groupIds: new Set(),
  };
  school.students.set(id, student);
  return student;
}

export function groupsOfClass(school: School, classId: string): Group[] {
  return [...school.groups.values()].filter((g) => g.classId === classId);
}

function smallest(groups: Group[]): Group | undefined {
  return groups.reduce<Group | undefined>((best, g) => (!best || g.members.size < best.members.size ? g : best), undefined);
}

function joinGroup(student: Student, group: Group): void {
  group.members.add(student.id);
  student.groupIds.add(group.id);
}

/** Puts a student into a class: its whole-class group, the smaller English half, the smallest language group, PE by gender. */
export function enrolInClass(school: School, student: Student, classId: string): void {
  const groups = groupsOfClass(school, classId);
  const whole = groups.find((g) => g.kind === "whole");
  if (!whole) throw new Error(`class ${JSON.stringify(classId)} has no whole-class group`);
  let registration = 0;
  for (const id of whole.members) registration = Math.max(registration, school.students.get(id)?.registrationNumber ?? 0);
  student.classId = classId;
  student.registrationNumber = registration + 1;
  joinGroup(student, whole);
  for (const kind of ["english", "language"] as const) {
    const group = smallest(groups.filter((g) => g.kind === kind));
    if (group) joinGroup(student, group);
  }
  const pe = groups.find((g) => g.kind === "pe" && g.gender === student.gender);
  if (pe) joinGroup(student, pe);
}

/** Takes a student out of every group (of any class). */
export function withdrawFromGroups(school: School, student: Student): void {
  for (const id of student.groupIds) school.groups.get(id)?.members.delete(student.id);
  student.groupIds.clear();
}
