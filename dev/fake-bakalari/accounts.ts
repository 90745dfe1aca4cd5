/**
 * The people behind the sign-in accounts, and which view of the school each account's
 * personal timetable and class book show (by the switchable assumptions).
 */
import type { AccountKind, Assumptions } from "./control";
import { PARENT_USER_ID, WHITESPACE_TWINS, type AccountPersons, type School } from "./model";
import type { AccountScopes, Scope } from "./views";

/**
 * The people behind the accounts, by fixed rules (no draws): the headmaster is the first
 * teacher; the teacher account is the first other teacher who teaches a whole class and a
 * split group (English half, language or PE) in at least two classes, else in one, else
 * anything; the student is the first student with a Name and an Abbrev who is not a
 * whitespace twin.
 */
export function pickAccounts(school: School): AccountPersons {
  const headmasterId = [...school.teachers.keys()][0] ?? "";
  return { headmasterId, teacherId: pickTeacher(school, headmasterId), studentId: pickStudent(school) };
}

/** After a change: a student account whose student left the school gets the next one by the same rule. */
export function refreshAccounts(school: School): void {
  if (!school.students.has(school.accounts.studentId)) school.accounts.studentId = pickStudent(school);
}

function pickTeacher(school: School, headmasterId: string): string {
  const teaching = new Map<string, { whole: boolean; split: boolean; classes: Set<string> }>();
  for (const atom of school.atoms) {
    let t = teaching.get(atom.teacherId);
    if (!t) teaching.set(atom.teacherId, (t = { whole: false, split: false, classes: new Set() }));
    for (const gid of atom.groupIds) {
      const group = school.groups.get(gid)!;
      if (group.kind === "whole") t.whole = true;
      else t.split = true;
      t.classes.add(group.classId);
    }
  }
  const others = [...school.teachers.keys()].filter((id) => id !== headmasterId);
  const tiers: ((t: { whole: boolean; split: boolean; classes: Set<string> }) => boolean)[] = [
    (t) => t.whole && t.split && t.classes.size >= 2,
    (t) => t.whole && t.split,
    (t) => t.classes.size > 0,
  ];
  for (const tier of tiers) {
    const id = others.find((id) => {
      const t = teaching.get(id);
      return t !== undefined && tier(t);
    });
    if (id !== undefined) return id;
  }
  return others[0] ?? headmasterId;
}

function pickStudent(school: School): string {
  const twins: readonly string[] = WHITESPACE_TWINS;
  const students = [...school.students.values()];
  const pick = students.find((s) => s.name !== "" && s.abbrev !== "" && !twins.includes(s.id)) ?? students[0];
  return pick?.id ?? "";
}

export function personOf(school: School, kind: AccountKind): string {
  const { headmasterId, teacherId, studentId } = school.accounts;
  return { management: headmasterId, teacher: teacherId, student: studentId, parent: PARENT_USER_ID }[kind];
}

export function scopesOf(school: School, kind: AccountKind, assumptions: Assumptions): AccountScopes {
  const { headmasterId, teacherId, studentId } = school.accounts;
  const whole: Scope = { kind: "school" };
  const own = (id: string): Scope => ({ kind: "teacher", teacherId: id });
  switch (kind) {
    case "management":
      return {
        timetable: assumptions.managementTimetable === "school" ? whole : own(headmasterId),
        classbook: assumptions.managementClassbook === "school" ? whole : own(headmasterId),
      };
    case "teacher":
      return {
        timetable: assumptions.teacherTimetable === "school" ? whole : own(teacherId),
        classbook: assumptions.teacherClassbook === "school" ? whole : own(teacherId),
      };
    case "student":
    case "parent":
      return { timetable: { kind: "student", studentId }, classbook: null };
  }
}
