/**
 * The catalog a run builds once, before any roster is read: the account's timetable, the
 * public timetable's classes, teachers, subjects and lessons (when it was read), and the
 * groups the class book shows. Pure: no I/O.
 */
import type { PublicView } from "./public-view";
import type { Classbook, Entity, Group, Timetable } from "./schemas";
import { ROSTER_WARNING } from "../codes";
import {
  distinctById,
  enrollmentKey,
  publicSubjectId,
  q,
  type RosterClass,
  type RosterEnrollment,
  type RosterSubject,
  type RosterTeacher,
  type RosterWarning,
} from "./roster";

export const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What the run knows of the school before any roster is read. */
export type Catalog = {
  /** The account's timetable's classes, and the public timetable's. */
  classes: RosterClass[];
  /** Groups of listed classes whose id is known: the timetable's, then the class book's. */
  groups: Group[];
  subjects: RosterSubject[];
  teachers: RosterTeacher[];
  /** Subject ids each group has, from the timetable's atoms and the public timetable's lessons. */
  groupSubjects: Map<string, string[]>;
  teachingAssignments: RosterEnrollment[];
  /** Class book lessons none of whose groups belongs to a listed class. */
  lessonsOutside: number;
  /** Distinct groups of those lessons. */
  groupsOutside: number;
  /** Classes each of whose public lessons was placed in a known group: their subjects are known whole. */
  publicClassesWhole: Set<string>;
  /** Who teaches the lessons of the account's own timetable. */
  timetableTeacherIds: Set<string>;
  warnings: RosterWarning[];
};

/** The public timetable a run uses: read now, or the last whole read while it is unavailable. */
export type PublicInput = { status: "read" | "off" | "unavailable"; view: PublicView | null; readAt: string | null };

export const PUBLIC_OFF: PublicInput = { status: "off", view: null, readAt: null };

/**
 * The catalog: the account's timetable, the public timetable's classes, teachers, subjects
 * and lessons (when it was read), and the groups the class book shows. A teacher's
 * timetable lists only the groups it teaches, and a management account's class book may
 * show more than its own timetable. Class book groups of unlisted classes are counted,
 * not added: nothing about their class is known.
 *
 * Where both views describe a record, the public timetable wins for the fields it gives (a
 * class's abbreviation, a teacher's "Surname Name", a subject's abbreviation and name): it is
 * read whole every run, or its last whole read stands in, while what the account's views
 * show of a record comes and goes. The account's views give the rest (a class's name, a
 * teacher's abbreviation); fields no view gives are left undefined, and the row keeps them.
 * So a field never flips between the two spellings from run to run.
 */
export function buildCatalog(timetable: Timetable, classbook: Classbook | null, publicView: PublicView | null = null): Catalog {
  const warnings: RosterWarning[] = [];
  const apiClasses = distinctById(timetable.classes, "class", warnings);
  const timetableGroups = distinctById(timetable.groups, "group", warnings);
  const apiSubjects = distinctById(timetable.subjects, "subject", warnings);
  const apiTeachers = distinctById(timetable.teachers, "teacher", warnings);

  const subjectOf = subjectResolver(apiSubjects, classbook);
  const classes = merge(
    apiClasses,
    publicView?.classes ?? [],
    (api, pub): RosterClass => ({
      id: (api ?? pub)!.id,
      abbrev: pub?.abbrev ?? api!.abbrev,
      name: api?.name,
    }),
  );
  const teachers = merge(
    apiTeachers,
    publicView?.teachers ?? [],
    (api, pub): RosterTeacher => ({
      id: (api ?? pub)!.id,
      abbrev: api?.abbrev,
      name: pub?.name ?? api!.name,
    }),
  );
  const subjects = merge(
    apiSubjects,
    (publicView?.subjects ?? []).map((p) => ({ id: subjectOf(p.abbrev), abbrev: p.abbrev, name: p.name })),
    (api, pub): RosterSubject => ({ id: (api ?? pub)!.id, abbrev: pub?.abbrev ?? api!.abbrev, name: pub?.name ?? api!.name }),
  );

  const classIds = new Set(classes.map((c) => c.id));
  const groups: Group[] = [];
  for (const g of timetableGroups) {
    if (classIds.has(g.classId)) {
      groups.push(g);
      continue;
    }
    warnings.push({
      code: ROSTER_WARNING.unknownReference,
      message: `Group ${q(g.id)} belongs to class ${q(g.classId)}, which the timetable does not list; its roster is not read`,
      externalId: g.id,
      entity: "group",
    });
  }
  const known = new Set(timetableGroups.map((g) => g.id));
  let lessonsOutside = 0;
  const outside = new Set<string>();
  for (const lesson of classbook?.lessons ?? []) {
    let inside = false;
    for (const g of lesson.groups) {
      if (!classIds.has(g.classId)) {
        outside.add(g.id);
        continue;
      }
      inside = true;
      if (known.has(g.id)) continue;
      known.add(g.id);
      groups.push(g);
    }
    if (!inside) lessonsOutside += 1;
  }

  const groupById = new Map(groups.map((g) => [g.id, g]));
  const subjectIds = new Set(subjects.map((x) => x.id));
  const teacherIds = new Set(teachers.map((t) => t.id));
  const unknown = new Set<string>();
  const reportUnknown = (kind: "group" | "subject" | "teacher", id: string) => {
    const key = `${kind}\u0000${id}`;
    if (unknown.has(key)) return;
    unknown.add(key);
    warnings.push({
      code: ROSTER_WARNING.unknownReference,
      message: `A timetable atom refers to ${kind} ${q(id)}, which the timetable does not list; that atom is ignored for it`,
      externalId: id,
      entity: kind,
    });
  };

  const groupSubjects = new Map<string, string[]>();
  const addGroupSubject = (groupId: string, subjectId: string) => {
    const has = groupSubjects.get(groupId) ?? [];
    if (!has.includes(subjectId)) groupSubjects.set(groupId, [...has, subjectId]);
  };
  const assignments = new Enrollments();
  for (const atom of timetable.atoms) {
    const subjectKnown = subjectIds.has(atom.subjectId);
    const teacherKnown = teacherIds.has(atom.teacherId);
    if (!subjectKnown) reportUnknown("subject", atom.subjectId);
    if (!teacherKnown) reportUnknown("teacher", atom.teacherId);
    for (const groupId of new Set(atom.groupIds)) {
      const g = groupById.get(groupId);
      if (!g) {
        reportUnknown("group", groupId);
        continue;
      }
      if (!subjectKnown) continue;
      addGroupSubject(groupId, atom.subjectId);
      if (teacherKnown) assignments.add({ userId: atom.teacherId, subjectId: atom.subjectId, classId: g.classId });
    }
  }

  const publicClassesWhole = new Set<string>();
  if (publicView) {
    for (const t of publicView.teaching) {
      if (classIds.has(t.classId)) assignments.add({ userId: t.teacherId, subjectId: subjectOf(t.subjectAbbrev), classId: t.classId });
    }
    // A public lesson names its group by label only; placed in a known group, it tells that
    // group's subjects. A class all of whose lessons were placed has its subjects known whole.
    const placeIn = groupPlacer(classes, groups);
    const unplaced = new Set<string>();
    for (const l of publicView.lessons) {
      const group = placeIn(l.classId, l.label);
      if (group) addGroupSubject(group.id, subjectOf(l.subjectAbbrev));
      else unplaced.add(l.classId);
    }
    for (const c of classes) if (!unplaced.has(c.id)) publicClassesWhole.add(c.id);
  }

  return {
    classes,
    groups,
    subjects,
    teachers,
    groupSubjects,
    teachingAssignments: assignments.list(),
    lessonsOutside,
    groupsOutside: outside.size,
    publicClassesWhole,
    timetableTeacherIds: new Set(timetable.atoms.map((a) => a.teacherId)),
    warnings,
  };
}

/**
 * The records of both views by id, in the account's order then the public timetable's, each
 * made from what either view says of it (`make` picks field by field).
 */
function merge<R extends { id: string }, A extends { id: string } = R, P extends { id: string } = R>(
  api: A[],
  pub: P[],
  make: (api: A | undefined, pub: P | undefined) => R,
): R[] {
  const fromPublic = new Map(pub.map((p) => [p.id, p]));
  const out = api.map((a) => make(a, fromPublic.get(a.id)));
  const seen = new Set(api.map((a) => a.id));
  for (const p of pub) if (!seen.has(p.id)) out.push(make(undefined, p));
  return out;
}

/**
 * A subject's id by its abbreviation (the abbreviation is unique per subject within a
 * school): the timetable's, then the class book's, else the key of a subject known only
 * by its abbreviation.
 */
function subjectResolver(timetableSubjects: Entity[], classbook: Classbook | null): (abbrev: string) => string {
  const byAbbrev = new Map<string, string>();
  for (const lesson of classbook?.lessons ?? []) if (lesson.subject) byAbbrev.set(lesson.subject.abbrev.trim(), lesson.subject.id);
  for (const s of timetableSubjects) byAbbrev.set(s.abbrev.trim(), s.id);
  return (abbrev) => byAbbrev.get(abbrev.trim()) ?? publicSubjectId(abbrev.trim());
}

/**
 * The known group a public lesson label names (an assumption from the two captures: the
 * whole class shows as "<class> celá" where its group's abbreviation is the class's own,
 * other groups by their abbreviation, "G5B 5BNj").
 */
function groupPlacer(classes: RosterClass[], groups: Group[]): (classId: string, label: string) => Group | undefined {
  const abbrevOf = new Map(classes.map((c) => [c.id, c.abbrev.trim()]));
  const byLabel = new Map<string, Group>();
  for (const g of groups) {
    const classAbbrev = abbrevOf.get(g.classId);
    if (classAbbrev === undefined) continue;
    byLabel.set(JSON.stringify([g.classId, g.abbrev.trim()]), g);
    if (g.abbrev.trim() === classAbbrev) {
      byLabel.set(JSON.stringify([g.classId, `${classAbbrev} celá`]), g);
      byLabel.set(JSON.stringify([g.classId, `${classAbbrev} celá třída`]), g);
    }
  }
  return (classId, label) => byLabel.get(JSON.stringify([classId, label.trim()]));
}

/** A set of enrollments, each once. */
class Enrollments {
  private readonly byKey = new Map<string, RosterEnrollment>();
  add(e: RosterEnrollment): void {
    const key = enrollmentKey(e);
    if (!this.byKey.has(key)) this.byKey.set(key, e);
  }
  list(): RosterEnrollment[] {
    return [...this.byKey.values()];
  }
}
