/**
 * Pure assembly of a Roster from parsed Bakaláři payloads: no I/O, so every rule here is
 * unit-testable. Steps: with the catalog built once (catalog.ts), pick one class book
 * lesson per group, read each group's roster from its lesson's absence list, then say what
 * the run saw whole (seen.ts).
 */
import { byCodeUnits, type Catalog } from "./catalog";
import type { AbsenceList, Classbook } from "./schemas";
import type { KeptRoster } from "./roster-store";
import { whatWasSeen, type SeenInput } from "./seen";
import { ROSTER_WARNING } from "../codes";
import {
  q,
  BakalariError,
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

export type AssemblyInput = SeenInput & {
  /** Results by lesson id, for the lessons read. */
  absences: ReadonlyMap<string, AbsenceResult>;
  /** Rosters kept from earlier reads, by group, for the groups an incremental tick did not re-read. */
  reused?: ReadonlyMap<string, KeptRoster>;
  /** The class book window, for the holiday warning. */
  window?: { from: string; to: string };
};

/** The lessons to read: each group's most recent lesson; a lesson covering several groups serves them all. */
export function rosterLessons(catalog: Catalog, classbook: Classbook | null): RosterLesson[] {
  if (!classbook) return [];
  const wanted = new Set(catalog.groups.map((g) => g.id));
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
  const { catalog, lessons } = input;
  if (catalog.classes.length === 0) {
    throw new BakalariError("BAKALARI_EMPTY_FEED", "The permanent timetable lists no classes", "/api/3/timetable/permanent");
  }
  const warnings = [...catalog.warnings];
  const groups = readGroupRosters(input, warnings);
  const base = {
    classes: catalog.classes,
    groups,
    subjects: catalog.subjects,
    teachers: catalog.teachers,
    teachingAssignments: catalog.teachingAssignments,
  };
  const finish = (students: RosterStudent[], studentEnrollments: RosterEnrollment[]): Roster => {
    const seen = whatWasSeen(input, groups, warnings);
    return { ...base, students, studentEnrollments, warnings, scope: seen.scope, coverage: seen.coverage };
  };

  if (lessons.length === 0 && (input.reused?.size ?? 0) === 0) {
    warnings.push(noRostersWarning(input));
    return finish([], []);
  }

  const requestsFailed = lessons.filter((l) => input.absences.get(l.lessonId)?.ok !== true);
  const read = groups.filter((g) => g.roster.status === "read");
  if ((lessons.length > 0 && requestsFailed.length === lessons.length) || read.length === 0) {
    const first = requestsFailed[0] ? input.absences.get(requestsFailed[0].lessonId) : undefined;
    const why = first && !first.ok ? `; first failure: ${first.reason}` : "";
    throw new BakalariError(
      "BAKALARI_UNAVAILABLE",
      `No group roster could be read: ${requestsFailed.length} of ${lessons.length} absence requests failed${why}`,
      "/api/3/lesson/{LessonId}/absence",
    );
  }

  const { students, studentEnrollments } = studentsOf(input, groups, warnings);
  if (students.length === 0) {
    throw new BakalariError(
      "BAKALARI_EMPTY_FEED",
      `The ${read.length} group rosters that were read hold no student`,
      "/api/3/lesson/{LessonId}/absence",
    );
  }
  return finish(students, studentEnrollments);
}

/** Why no roster was read: the account, the holidays, or a class book that shows other classes. */
function noRostersWarning(input: AssemblyInput): RosterWarning {
  const { catalog, classbook } = input;
  if (!classbook) {
    return {
      code: ROSTER_WARNING.accountScope,
      message: `This account (UserType ${q(input.userType ?? "unknown")}) may not read the class book, so no roster was read and students and their enrollments are left as they are; sign in with a teacher's or the school management's account`,
    };
  }
  if (classbook.lessons.length > 0) {
    return {
      code: ROSTER_WARNING.scopeMismatch,
      message: `The class book has ${classbook.lessons.length} lessons of ${catalog.groupsOutside} groups, none of which belongs to a class of the timetable; no roster was read and students and their enrollments are left as they are`,
    };
  }
  const span = input.window ? ` from ${input.window.from} to ${input.window.to}` : "";
  return {
    code: ROSTER_WARNING.noRosters,
    message: `Rosters could not be read: the class book has no lesson${span} (holidays?); students and their enrollments are left as they are`,
  };
}

function readGroupRosters(input: AssemblyInput, warnings: RosterWarning[]): RosterGroup[] {
  const { catalog, lessons, absences } = input;
  const reused = input.reused ?? new Map<string, KeptRoster>();
  const lessonOf = new Map<string, string>();
  for (const l of lessons) for (const g of l.groupIds) lessonOf.set(g, l.lessonId);
  // Per-group warnings only where the class book reaches the group's class at all.
  const reached = new Set(catalog.groups.filter((g) => lessonOf.has(g.id) || reused.has(g.id)).map((g) => g.classId));

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
      const lessonId = lessonOf.get(g.id);
      const kept = reused.get(g.id);
      if (lessonId === undefined && kept) {
        const ids = [...new Set(kept.members.map((s) => s.id))].sort(byCodeUnits);
        return { status: "read", studentIds: ids, reusedFrom: kept.readAt.toISOString() };
      }
      if (lessonId === undefined) {
        if (reached.has(g.classId)) {
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
  input: AssemblyInput,
  groups: RosterGroup[],
  warnings: RosterWarning[],
): { students: RosterStudent[]; studentEnrollments: RosterEnrollment[] } {
  // Names come from the absence lists read now, then from the rosters kept; the first record seen of a student wins.
  const recordOf = new Map<string, { name: string; abbrev: string }>();
  for (const l of input.lessons) {
    const result = input.absences.get(l.lessonId);
    if (!result?.ok) continue;
    for (const a of result.list.groups) for (const s of a.students) if (!recordOf.has(s.id)) recordOf.set(s.id, s);
  }
  for (const kept of input.reused?.values() ?? []) for (const s of kept.members) if (!recordOf.has(s.id)) recordOf.set(s.id, s);

  const groupsOf = new Map<string, RosterGroup[]>();
  for (const g of groups) {
    if (g.roster.status !== "read") continue;
    for (const sid of g.roster.studentIds) {
      const memberOf = groupsOf.get(sid);
      if (memberOf) memberOf.push(g);
      else groupsOf.set(sid, [g]);
    }
  }

  const students: RosterStudent[] = [];
  const studentEnrollments: RosterEnrollment[] = [];
  for (const sid of [...groupsOf.keys()].sort(byCodeUnits)) {
    const memberOf = nowOrKept(groupsOf.get(sid) ?? []);
    const { name, abbrev } = recordOf.get(sid) ?? { name: "", abbrev: "" };
    students.push({ id: sid, name, abbrev, classId: classOfStudent(sid, memberOf, warnings) });
    // A subject taken in two groups of one class (a lab in the English halves) is one enrollment.
    // Kept per pupil, not in one set of the school's 54,000 enrollments: less to hold and to hash.
    const subjectsIn = new Map<string, Set<string>>();
    for (const g of memberOf) {
      let subjects = subjectsIn.get(g.classId);
      if (!subjects) subjectsIn.set(g.classId, (subjects = new Set()));
      for (const subjectId of input.catalog.groupSubjects.get(g.id) ?? []) {
        if (subjects.has(subjectId)) continue;
        subjects.add(subjectId);
        studentEnrollments.push({ userId: sid, subjectId, classId: g.classId });
      }
    }
  }
  return { students, studentEnrollments };
}

/**
 * A pupil's groups, where what was read now beats what was kept: a pupil a fresh roster shows
 * in a class no longer counts in groups of other classes whose rosters are only kept ones (a
 * pupil who moved is placed in the new class at once, not when the old one is re-read).
 */
function nowOrKept(memberOf: RosterGroup[]): RosterGroup[] {
  const isKept = (g: RosterGroup) => g.roster.status === "read" && g.roster.reusedFrom !== undefined;
  const freshClasses = new Set(memberOf.filter((g) => !isKept(g)).map((g) => g.classId));
  if (freshClasses.size === 0) return memberOf;
  return memberOf.filter((g) => !isKept(g) || freshClasses.has(g.classId));
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
