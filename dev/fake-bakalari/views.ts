/**
 * What a view of the school shows: the whole school's lessons, one teacher's, or one
 * student's; the personal timetable's records, and what `/_fake/visible` reports.
 */
import type { VisibleToAccount } from "./control";
import type { Atom, Group, Room, School, SchoolClass, Subject, Teacher } from "./model";

/** Whose lessons a view shows: the whole school's, one teacher's, or one student's. */
export type Scope = { kind: "school" } | { kind: "teacher"; teacherId: string } | { kind: "student"; studentId: string };

export function scopeKey(scope: Scope): string {
  return scope.kind === "school" ? "school" : scope.kind === "teacher" ? `teacher|${scope.teacherId}` : `student|${scope.studentId}`;
}

/** An account's personal timetable and class book; `classbook` null: the class book is refused. */
export type AccountScopes = { timetable: Scope; classbook: Scope | null };

/**
 * The group ids of an atom that a view shows; none: the view does not show the atom. A
 * student sees only its own groups of a lesson shared with another class.
 */
export function shownGroupIds(school: School, scope: Scope, atom: Atom): string[] {
  switch (scope.kind) {
    case "school":
      return atom.groupIds;
    case "teacher":
      return atom.teacherId === scope.teacherId ? atom.groupIds : [];
    case "student": {
      const groups = school.students.get(scope.studentId)?.groupIds;
      return groups ? atom.groupIds.filter((id) => groups.has(id)) : [];
    }
  }
}

/** A personal timetable from the model: its atoms (with the groups it shows) and the records it lists. */
export type TimetableView = {
  atoms: { atom: Atom; groupIds: string[] }[];
  classes: SchoolClass[];
  groups: Group[];
  subjects: Subject[];
  teachers: Teacher[];
  rooms: Room[];
};

/**
 * The whole school's view lists every record (a subject taught nowhere after `dropHalf`
 * included); a personal one lists only what its atoms name, in the school's order.
 */
export function timetableView(school: School, scope: Scope): TimetableView {
  const atoms: TimetableView["atoms"] = [];
  for (const atom of school.atoms) {
    const groupIds = shownGroupIds(school, scope, atom);
    if (groupIds.length > 0) atoms.push({ atom, groupIds });
  }
  const all = <T>(records: Map<string, T>) => [...records.values()];
  if (scope.kind === "school") {
    return {
      atoms,
      classes: all(school.classes),
      groups: all(school.groups),
      subjects: all(school.subjects),
      teachers: all(school.teachers),
      rooms: all(school.rooms),
    };
  }
  const groupIds = new Set(atoms.flatMap((a) => a.groupIds));
  const groups = all(school.groups).filter((g) => groupIds.has(g.id));
  const classIds = new Set(groups.map((g) => g.classId));
  const named = (pick: (atom: Atom) => string) => new Set(atoms.map((a) => pick(a.atom)));
  const subjectIds = named((a) => a.subjectId);
  const teacherIds = named((a) => a.teacherId);
  const roomIds = named((a) => a.roomId);
  return {
    atoms,
    classes: all(school.classes).filter((c) => classIds.has(c.id)),
    groups,
    subjects: all(school.subjects).filter((s) => subjectIds.has(s.id)),
    teachers: all(school.teachers).filter((t) => teacherIds.has(t.id)),
    rooms: all(school.rooms).filter((r) => roomIds.has(r.id)),
  };
}

/** What an account's own views show, for `/_fake/visible`. */
export function visibleTo(school: School, scopes: AccountScopes): VisibleToAccount {
  const view = timetableView(school, scopes.timetable);
  const classbookGroups = new Set<string>();
  if (scopes.classbook) {
    for (const atom of school.atoms) for (const id of shownGroupIds(school, scopes.classbook, atom)) classbookGroups.add(id);
  }
  const ids = (records: { id: string }[]) => records.map((r) => r.id);
  return {
    timetableClassIds: ids(view.classes),
    timetableGroupIds: ids(view.groups),
    timetableSubjectIds: ids(view.subjects),
    timetableTeacherIds: ids(view.teachers),
    classbookGroupIds: ids([...school.groups.values()].filter((g) => classbookGroups.has(g.id))),
  };
}
