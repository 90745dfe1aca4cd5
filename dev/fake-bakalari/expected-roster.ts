/**
 * The `/_fake/expected` oracle: the true roster, computed from the model (never from the
 * served payloads), for a sync's result to be held against.
 */
import type { RosterEnrollment } from "../../src/bakalari/roster";
import type { ExpectedRoster } from "./control";
import { shownName, type School } from "./model";

/** The subjects each group is taught, from the timetable. */
export function subjectsOfGroups(school: School): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const atom of school.atoms) {
    for (const gid of atom.groupIds) {
      let set = out.get(gid);
      if (!set) out.set(gid, (set = new Set()));
      set.add(atom.subjectId);
    }
  }
  return out;
}

/** The true roster, straight from the model (never from the served payloads). */
export function expectedRoster(school: School): ExpectedRoster {
  const studentEnrollments: RosterEnrollment[] = [];
  const seen = new Set<string>();
  const groupSubjects = subjectsOfGroups(school);
  for (const group of school.groups.values()) {
    for (const subjectId of groupSubjects.get(group.id) ?? []) {
      for (const userId of group.members) {
        const key = `${userId}|${subjectId}|${group.classId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        studentEnrollments.push({ userId, subjectId, classId: group.classId });
      }
    }
  }
  const teachingAssignments: RosterEnrollment[] = [];
  seen.clear();
  for (const atom of school.atoms) {
    for (const gid of atom.groupIds) {
      const classId = school.groups.get(gid)!.classId;
      const key = `${atom.teacherId}|${atom.subjectId}|${classId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      teachingAssignments.push({ userId: atom.teacherId, subjectId: atom.subjectId, classId });
    }
  }
  return {
    classes: [...school.classes.values()].map((c) => ({ id: c.id, abbrev: c.abbrev, name: shownName(c) })),
    subjects: [...school.subjects.values()].map((s) => ({ id: s.id, abbrev: s.abbrev, name: shownName(s) })),
    teachers: [...school.teachers.values()].map((t) => ({ id: t.id, abbrev: t.abbrev, name: shownName(t) })),
    students: [...school.students.values()].map((s) => ({ id: s.id, name: shownName(s), classId: s.classId })),
    studentEnrollments,
    teachingAssignments,
  };
}
