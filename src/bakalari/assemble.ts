/**
 * Pure assembly of a Roster from parsed Bakaláři payloads: no I/O, so every rule
 * here is unit-testable. Steps: build the catalog of the permanent timetable,
 * pick one class book lesson per group, then read each group's roster from its
 * lesson's absence list.
 */
import type { AbsenceList, Classbook, Entity, Group, Timetable } from "./schemas";
import {
  BakalariError,
  ROSTER_WARNING,
  type GroupRoster,
  type Roster,
  type RosterEnrollment,
  type RosterGroup,
  type RosterStudent,
  type RosterWarning,
} from "./roster";

/** A lesson whose absence list is to be read, and the groups it stands for. */
export type RosterLesson = { lessonId: string; groupIds: string[] };

/** What reading one lesson's absence list gave: the parsed list, or why it failed. */
export type AbsenceResult = { ok: true; list: AbsenceList } | { ok: false; reason: string };

export type AssemblyInput = {
  timetable: Timetable;
  classbook: Classbook;
  /** Results by lesson id, for the lessons rosterLessons() chose. */
  absences: ReadonlyMap<string, AbsenceResult>;
  /** The class book window, for the holiday warning. */
  window?: { from: string; to: string };
};

type Catalog = {
  classes: Entity[];
  groups: Group[];
  subjects: Entity[];
  teachers: Entity[];
  /** Groups whose class the timetable does not list: their roster is not read. */
  orphanGroupIds: Set<string>;
  /** Subject ids each group has, from the timetable's atoms. */
  groupSubjects: Map<string, string[]>;
  teachingAssignments: RosterEnrollment[];
  warnings: RosterWarning[];
};

const q = (id: string) => JSON.stringify(id); // shows " 6" with its space in messages
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lessons to read: each group's most recent lesson; a lesson covering several groups serves them all. */
export function rosterLessons(timetable: Timetable, classbook: Classbook): RosterLesson[] {
  const catalog = buildCatalog(timetable);
  const wanted = new Set(catalog.groups.filter((g) => !catalog.orphanGroupIds.has(g.id)).map((g) => g.id));
  const chosen = new Map<string, string[]>();
  // Newest first, so a group's roster is as current as the window allows. Dates are
  // YYYY-MM-DD…, so they order as strings; the class book's own order breaks ties.
  const newestFirst = classbook.lessons
    .map((lesson, index) => ({ lesson, index }))
    .sort((a, b) => byCodeUnits(b.lesson.date ?? "", a.lesson.date ?? "") || b.index - a.index);
  for (const { lesson } of newestFirst) {
    const serves = [...new Set(lesson.groupIds)].filter((id) => wanted.has(id));
    if (serves.length === 0) continue;
    for (const id of serves) wanted.delete(id);
    const groupIds = chosen.get(lesson.lessonId) ?? [];
    chosen.set(lesson.lessonId, [...groupIds, ...serves]);
  }
  return [...chosen].map(([lessonId, groupIds]) => ({ lessonId, groupIds }));
}

/** Builds the Roster, or throws BAKALARI_EMPTY_FEED / BAKALARI_UNAVAILABLE for a feed that must not be applied. */
export function assembleRoster(input: AssemblyInput): Roster {
  const catalog = buildCatalog(input.timetable);
  if (catalog.classes.length === 0) {
    throw new BakalariError("BAKALARI_EMPTY_FEED", "The permanent timetable lists no classes", "/api/3/timetable/permanent");
  }
  const warnings = [...catalog.warnings];
  const lessons = rosterLessons(input.timetable, input.classbook);
  const groups = readGroupRosters(catalog, lessons, input.absences, warnings);
  const base = {
    classes: catalog.classes,
    groups,
    subjects: catalog.subjects,
    teachers: catalog.teachers,
    teachingAssignments: catalog.teachingAssignments,
  };

  if (lessons.length === 0) {
    const span = input.window ? ` from ${input.window.from} to ${input.window.to}` : "";
    warnings.push({
      code: ROSTER_WARNING.noRosters,
      message: `Rosters could not be read: the class book has no lesson${span} (holidays?); students and their enrollments are left as they are`,
    });
    return { ...base, students: [], studentEnrollments: [], warnings };
  }

  const requestsFailed = lessons.filter((l) => input.absences.get(l.lessonId)?.ok !== true);
  const read = groups.filter((g) => g.roster.status === "read");
  if (requestsFailed.length === lessons.length || read.length === 0) {
    const first = requestsFailed[0] ? input.absences.get(requestsFailed[0].lessonId) : undefined;
    const why = first && !first.ok ? `; first failure: ${first.reason}` : "";
    throw new BakalariError(
      "BAKALARI_UNAVAILABLE",
      `No group roster could be read: ${requestsFailed.length} of ${lessons.length} absence requests failed${why}`,
      "/api/3/lesson/{LessonId}/absence",
    );
  }

  const { students, studentEnrollments } = studentsOf(catalog, groups, input.absences, lessons, warnings);
  if (students.length === 0) {
    throw new BakalariError(
      "BAKALARI_EMPTY_FEED",
      `The ${read.length} group rosters that were read hold no student`,
      "/api/3/lesson/{LessonId}/absence",
    );
  }
  return { ...base, students, studentEnrollments, warnings };
}

function buildCatalog(timetable: Timetable): Catalog {
  const warnings: RosterWarning[] = [];
  const classes = distinct(timetable.classes, "class", warnings);
  const groups = distinct(timetable.groups, "group", warnings);
  const subjects = distinct(timetable.subjects, "subject", warnings);
  const teachers = distinct(timetable.teachers, "teacher", warnings);

  const classIds = new Set(classes.map((c) => c.id));
  const orphanGroupIds = new Set<string>();
  for (const g of groups) {
    if (classIds.has(g.classId)) continue;
    orphanGroupIds.add(g.id);
    warnings.push({
      code: ROSTER_WARNING.unknownReference,
      message: `Group ${q(g.id)} belongs to class ${q(g.classId)}, which the timetable does not list; its roster is not read and class ${q(g.classId)} is exempt`,
      externalId: g.id,
      entity: "group",
    });
  }

  const groupById = new Map(groups.map((g) => [g.id, g]));
  const subjectIds = new Set(subjects.map((s) => s.id));
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
  const assignments = new Enrollments();
  for (const atom of timetable.atoms) {
    const subjectKnown = subjectIds.has(atom.subjectId);
    const teacherKnown = teacherIds.has(atom.teacherId);
    if (!subjectKnown) reportUnknown("subject", atom.subjectId);
    if (!teacherKnown) reportUnknown("teacher", atom.teacherId);
    for (const groupId of atom.groupIds) {
      const g = groupById.get(groupId);
      if (!g) {
        reportUnknown("group", groupId);
        continue;
      }
      if (!subjectKnown || orphanGroupIds.has(groupId)) continue;
      const has = groupSubjects.get(groupId) ?? [];
      if (!has.includes(atom.subjectId)) groupSubjects.set(groupId, [...has, atom.subjectId]);
      if (teacherKnown) assignments.add({ userId: atom.teacherId, subjectId: atom.subjectId, classId: g.classId });
    }
  }
  return {
    classes,
    groups,
    subjects,
    teachers,
    orphanGroupIds,
    groupSubjects,
    teachingAssignments: assignments.list(),
    warnings,
  };
}

/** Collapses identical duplicates silently; for two different records with one id, keeps the first and warns. */
function distinct<T extends { id: string }>(items: T[], entity: "class" | "group" | "subject" | "teacher", warnings: RosterWarning[]): T[] {
  const seen = new Map<string, { item: T; json: string }>();
  for (const item of items) {
    const json = JSON.stringify(item);
    const first = seen.get(item.id);
    if (!first) {
      seen.set(item.id, { item, json });
    } else if (first.json !== json) {
      warnings.push({
        code: ROSTER_WARNING.duplicateId,
        message: `Two different ${entity} records have id ${q(item.id)}; the first is kept`,
        externalId: item.id,
        entity,
      });
    }
  }
  return [...seen.values()].map((s) => s.item);
}

function readGroupRosters(
  catalog: Catalog,
  lessons: RosterLesson[],
  absences: ReadonlyMap<string, AbsenceResult>,
  warnings: RosterWarning[],
): RosterGroup[] {
  const lessonOf = new Map<string, string>();
  for (const l of lessons) for (const g of l.groupIds) lessonOf.set(g, l.lessonId);
  const holidays = lessons.length === 0;

  return catalog.groups.map((g) => {
    const exempt = `class ${q(g.classId)} is exempt from deactivation`;
    const fail = (reason: string): GroupRoster => {
      warnings.push({
        code: ROSTER_WARNING.groupRosterFailed,
        message: `Roster of group ${q(g.id)} could not be read (${reason}); ${exempt}`,
        externalId: g.id,
        entity: "group",
      });
      return { status: "failed", reason };
    };
    const roster = ((): GroupRoster => {
      if (catalog.orphanGroupIds.has(g.id)) return { status: "failed", reason: `class ${q(g.classId)} is not in the timetable` };
      const lessonId = lessonOf.get(g.id);
      if (lessonId === undefined) {
        if (!holidays) {
          warnings.push({
            code: ROSTER_WARNING.groupNoLesson,
            message: `Group ${q(g.id)} has no lesson in the class book window; ${exempt}`,
            externalId: g.id,
            entity: "group",
          });
        }
        return { status: "no_lesson" };
      }
      const result = absences.get(lessonId);
      if (!result) return fail(`absence list of lesson ${q(lessonId)} was not read`);
      if (!result.ok) return fail(result.reason);
      if (result.list.incompleteGroupIds.includes(g.id)) {
        return fail(`absence list of lesson ${q(lessonId)} holds a student without a usable id`);
      }
      const entry = result.list.groups.find((a) => a.groupId === g.id);
      if (!entry) return fail(`group missing from the absence list of lesson ${q(lessonId)}`);
      const ids = [...new Set(entry.students.map((s) => s.id))].sort(byCodeUnits);
      return { status: "read", studentIds: ids };
    })();
    return { id: g.id, classId: g.classId, abbrev: g.abbrev, name: g.name, roster };
  });
}

function studentsOf(
  catalog: Catalog,
  groups: RosterGroup[],
  absences: ReadonlyMap<string, AbsenceResult>,
  lessons: RosterLesson[],
  warnings: RosterWarning[],
): { students: RosterStudent[]; studentEnrollments: RosterEnrollment[] } {
  // Names come from the absence lists; the first record seen of a student wins.
  const recordOf = new Map<string, { name: string; abbrev: string }>();
  for (const l of lessons) {
    const result = absences.get(l.lessonId);
    if (!result?.ok) continue;
    for (const a of result.list.groups) for (const s of a.students) if (!recordOf.has(s.id)) recordOf.set(s.id, s);
  }

  const groupsOf = new Map<string, RosterGroup[]>();
  for (const g of groups) {
    if (g.roster.status !== "read") continue;
    for (const sid of g.roster.studentIds) groupsOf.set(sid, [...(groupsOf.get(sid) ?? []), g]);
  }

  const students: RosterStudent[] = [];
  const enrollments = new Enrollments();
  for (const sid of [...groupsOf.keys()].sort(byCodeUnits)) {
    const memberOf = groupsOf.get(sid) ?? [];
    const { name, abbrev } = recordOf.get(sid) ?? { name: "", abbrev: "" };
    students.push({ id: sid, name, abbrev, classId: classOfStudent(sid, memberOf, warnings) });
    for (const g of memberOf) {
      for (const subjectId of catalog.groupSubjects.get(g.id) ?? []) enrollments.add({ userId: sid, subjectId, classId: g.classId });
    }
  }
  return { students, studentEnrollments: enrollments.list() };
}

/**
 * A student's class is their groups' class. For a student in groups of several classes
 * (a data error in the school), the class holding most of their groups wins (the home
 * class has the whole-class group and the splits), ties going to the smallest class id.
 */
function classOfStudent(studentId: string, memberOf: RosterGroup[], warnings: RosterWarning[]): string {
  const counts = new Map<string, number>();
  for (const g of memberOf) counts.set(g.classId, (counts.get(g.classId) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || byCodeUnits(a[0], b[0]));
  const chosen = ranked[0]![0];
  if (ranked.length > 1) {
    warnings.push({
      code: ROSTER_WARNING.studentInTwoClasses,
      message: `Student ${q(studentId)} is in groups of classes ${ranked.map(([c]) => q(c)).join(", ")}; class ${q(chosen)} is used`,
      externalId: studentId,
      entity: "student",
    });
  }
  return chosen;
}

/** A set of enrollments, keyed so ids holding any character cannot collide. */
class Enrollments {
  private readonly byKey = new Map<string, RosterEnrollment>();
  add(e: RosterEnrollment): void {
    const key = JSON.stringify([e.userId, e.subjectId, e.classId]);
    if (!this.byKey.has(key)) this.byKey.set(key, e);
  }
  list(): RosterEnrollment[] {
    return [...this.byKey.values()];
  }
}
