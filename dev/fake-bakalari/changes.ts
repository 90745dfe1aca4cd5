/**
 * Changes to the school between sync runs (`POST /_fake/change`). Default picks
 * come from the school's own change stream of the PRNG, so a sequence of changes on
 * a school of a given seed always picks the same students and classes.
 */
import type { ChangeOp, ChangeResult, StudentMove } from "./control";
import { refreshAccounts } from "./accounts";
import { allocateUserId } from "./ids";
import type { Gender, School, Student } from "./model";
import { SURNAMES } from "./names";
import { createStudent, enrolInClass, groupsOfClass, withdrawFromGroups } from "./students";

/** A change that cannot be made as asked (unknown id, impossible in this school); answered with 400. */
export class ChangeError extends Error {}

export function applyChange(school: School, change: ChangeOp): ChangeResult {
  const result = dispatch(school, change);
  refreshAccounts(school);
  school.version += 1;
  return result;
}

function dispatch(school: School, change: ChangeOp): ChangeResult {
  switch (change.op) {
    case "moveStudent":
      return { ok: true, ...moveStudent(school, change.studentId, change.toClassId) };
    case "renameSubject":
      return renameSubject(school, change.subjectId, change.name);
    case "addStudents": {
      const classId = change.classId ?? pickClass(school);
      return { ok: true, classId, studentIds: addStudents(school, classId, change.count) };
    }
    case "dropStudents":
      return { ok: true, studentIds: dropStudents(school, pickStudents(school, change.count)) };
    case "dropHalf":
      return dropHalf(school);
    case "holidays":
      school.holidays = change.on;
      return { ok: true, on: change.on };
    case "churn":
      return churn(school, change.fraction);
    case "studentInTwoClasses":
      return studentInTwoClasses(school, change.studentId);
  }
}

function studentOf(school: School, id: string): Student {
  const student = school.students.get(id);
  if (!student) throw new ChangeError(`no student with id ${JSON.stringify(id)}`);
  return student;
}

function requireClass(school: School, id: string): void {
  if (!school.classes.has(id)) throw new ChangeError(`no class with id ${JSON.stringify(id)}`);
}

function pickClass(school: School, except?: string): string {
  const ids = [...school.classes.keys()].filter((id) => id !== except);
  if (ids.length === 0) throw new ChangeError(except === undefined ? "the school has no class" : "the school has no other class");
  return school.rng.pick(ids);
}

function pickStudents(school: School, count: number): Student[] {
  return school.rng.shuffle([...school.students.values()]).slice(0, count);
}

function moveStudent(school: School, studentId: string | undefined, toClassId: string | undefined): StudentMove {
  const student = studentId === undefined ? pickStudents(school, 1)[0] : studentOf(school, studentId);
  if (!student) throw new ChangeError("the school has no student");
  const fromClassId = student.classId;
  if (toClassId !== undefined) {
    requireClass(school, toClassId);
    if (toClassId === fromClassId) throw new ChangeError("the student is in that class already");
  }
  const target = toClassId ?? pickClass(school, fromClassId);
  withdrawFromGroups(school, student);
  enrolInClass(school, student, target);
  return { studentId: student.id, fromClassId, toClassId: target };
}

function renameSubject(school: School, subjectId: string | undefined, name: string | undefined): ChangeResult<"renameSubject"> {
  const id = subjectId ?? school.rng.pick([...school.subjects.keys()]);
  const subject = school.subjects.get(id);
  if (!subject) throw new ChangeError(`no subject with id ${JSON.stringify(id)}`);
  const oldName = subject.name;
  subject.name = name ?? `${oldName || subject.abbrev} (nový název)`;
  return { ok: true, subjectId: id, oldName, name: subject.name };
}

function addStudents(school: School, classId: string, count: number): string[] {
  requireClass(school, classId);
  const grade = school.classes.get(classId)!.grade;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const gender: Gender = school.rng.chance(0.5) ? "M" : "F";
    const student = createStudent(school.rng, school, allocateUserId(school, school.rng), gender, grade);
    enrolInClass(school, student, classId);
    ids.push(student.id);
  }
  return ids;
}

function dropStudents(school: School, students: Student[]): string[] {
  for (const student of students) {
    withdrawFromGroups(school, student);
    school.students.delete(student.id);
  }
  return students.map((s) => s.id);
}

/** A broken feed: every second class vanishes with its groups, its students and their lessons. */
function dropHalf(school: School): ChangeResult<"dropHalf"> {
  const classIds = [...school.classes.keys()].filter((_, i) => i % 2 === 1);
  const gone = new Set(classIds);
  const students = [...school.students.values()].filter((s) => gone.has(s.classId));
  const studentIds = dropStudents(school, students);
  for (const group of [...school.groups.values()]) {
    if (!gone.has(group.classId)) continue;
    // Students of other classes who sat in these groups stay, without them.
    for (const id of group.members) school.students.get(id)?.groupIds.delete(group.id);
    school.groups.delete(group.id);
  }
  for (const id of classIds) school.classes.delete(id);
  school.atoms = school.atoms
    .map((atom) => ({ ...atom, groupIds: atom.groupIds.filter((id) => school.groups.has(id)) }))
    .filter((atom) => atom.groupIds.length > 0);
  return { ok: true, classIds, studentIds };
}

/** A surname change: the record stays, its name changes. */
function renameStudent(school: School, student: Student): void {
  const forms = SURNAMES.map(([masculine, feminine]) => (student.gender === "M" ? masculine : feminine));
  const lastName = school.rng.pick(forms.filter((f) => f !== student.lastName));
  student.lastName = lastName;
  student.name = `${lastName} ${student.firstName}`;
  // A student without an Abbrev keeps having none.
  if (student.abbrev !== "") student.abbrev = `${lastName} ${student.firstName[0]}.`;
}

/** About `fraction` of the students change (three in ten move, two drop, two are added, the rest are renamed), and that share of subjects is renamed. */
function churn(school: School, fraction: number): ChangeResult<"churn"> {
  const n = Math.max(1, Math.round(fraction * school.students.size));
  const moves = Math.round(n * 0.3);
  const drops = Math.round(n * 0.2);
  const adds = Math.round(n * 0.2);
  const renames = Math.max(0, n - moves - drops - adds);
  const picked = pickStudents(school, moves + drops + renames);
  const moved = school.classes.size > 1 ? picked.slice(0, moves).map((s) => moveStudent(school, s.id, undefined)) : [];
  const renamedStudents = picked.slice(moves, moves + renames).map((s) => {
    renameStudent(school, s);
    return s.id;
  });
  const dropped = dropStudents(school, picked.slice(moves + renames));
  const added: { studentId: string; classId: string }[] = [];
  for (let i = 0; i < adds && school.classes.size > 0; i++) {
    const classId = pickClass(school);
    added.push({ studentId: addStudents(school, classId, 1)[0]!, classId });
  }
  const subjectCount = Math.max(1, Math.round(fraction * school.subjects.size));
  const renamedSubjects = school.rng
    .shuffle([...school.subjects.keys()])
    .slice(0, subjectCount)
    .map((id) => renameSubject(school, id, undefined).subjectId);
  return { ok: true, moved, added, dropped, renamedStudents, renamedSubjects };
}

/** Also puts a student into a split group (an English half or a language group) of another class. */
function studentInTwoClasses(school: School, studentId: string | undefined): ChangeResult<"studentInTwoClasses"> {
  const student = studentId === undefined ? pickStudents(school, 1)[0] : studentOf(school, studentId);
  if (!student) throw new ChangeError("the school has no student");
  const otherClassId = pickClass(school, student.classId);
  const candidates = groupsOfClass(school, otherClassId).filter(
    (g) => (g.kind === "english" || g.kind === "language") && !g.members.has(student.id),
  );
  if (candidates.length === 0) throw new ChangeError("the other class has no group to join");
  const group = school.rng.pick(candidates);
  group.members.add(student.id);
  student.groupIds.add(group.id);
  return { ok: true, studentId: student.id, classId: student.classId, otherClassId, groupId: group.id };
}
