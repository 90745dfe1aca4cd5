/**
 * The planner's steps, one per table, in the order planSync (plan.ts) runs them: each
 * reads the ids the steps before it planned. Pure, and each testable alone.
 */
import { distinctById, enrollmentKey, parseEnrollmentKey, type DroppedRecord, type Roster, type RosterWarning } from "../bakalari/roster";
import { ROSTER_WARNING } from "../codes";
import { externalIds, idLookup, planEntity, type Desired } from "./plan-entity";
import type {
  ClassRecord,
  CurrentEnrollment,
  CurrentState,
  CurrentUser,
  EnrollmentRecord,
  EntityPlan,
  SubjectRecord,
  UserRecord,
} from "./plan";
import { resolveSubjectKeys, type Rekey } from "./subject-keys";

/**
 * What the source saw whole, as the steps ask it. Only that may make a row inactive;
 * records Bakaláři sent but that failed validation leave their rows as they are.
 */
export type PlanScope = {
  /** The catalog (classes, subjects, teachers) was not seen whole: none of it is deactivated. */
  catalogExempt: boolean;
  /** External ids of records dropped by validation, by table. */
  invalid: { classes: Set<string>; subjects: Set<string>; users: Set<string> };
  /** Classes whose students were all seen. */
  studentsComplete: Set<string>;
  /** Classes whose students' subjects were all seen. */
  subjectsComplete: Set<string>;
  /** Teachers only some of whose teaching was seen. */
  teachersPartial: Set<string>;
  /** Classes of the snapshot, by external id. */
  rosterClasses: Set<string>;
  /** The external id of a class row's internal id. */
  classOfRow(classId: string | null): string | undefined;
  /** A pupil's class was seen whole, or is gone from a catalog seen whole (the class goes too). */
  classAccountedFor(classExternalId: string | undefined): boolean;
};

export type PlanInput = {
  roster: Roster;
  current: CurrentState;
  newId: () => string;
  /** The steps add theirs to the snapshot's. */
  warnings: RosterWarning[];
  scope: PlanScope;
};

export function scopeOf(roster: Roster, current: CurrentState): PlanScope {
  const { scope } = roster;
  const invalid = droppedIds(scope.dropped);
  const catalogExempt = !scope.catalogComplete;
  const studentsComplete = new Set(scope.studentsComplete);
  const rosterClasses = new Set(roster.classes.map((c) => c.id));
  const classExternalIdOf = externalIds(current.classes);
  return {
    catalogExempt,
    invalid,
    studentsComplete,
    subjectsComplete: new Set(scope.subjectsComplete),
    teachersPartial: new Set(scope.teachersPartial),
    rosterClasses,
    classOfRow: (classId) => (classId === null ? undefined : classExternalIdOf.get(classId)),
    classAccountedFor: (classExt) =>
      classExt !== undefined &&
      (studentsComplete.has(classExt) || (!catalogExempt && !rosterClasses.has(classExt) && !invalid.classes.has(classExt))),
  };
}

/** Name may be "" in Bakaláři; the roster shows the abbreviation then. */
const displayName = (name: string, abbrev: string) => (name === "" ? abbrev : name);

type Planned<R> = { plan: EntityPlan<R>; idOf: (externalId: string) => string };

export function planClasses({ roster, current, newId, warnings, scope }: PlanInput): Planned<ClassRecord> {
  const stored = new Map(current.classes.map((r) => [r.externalId, r]));
  const desired = distinctById(roster.classes, "class", warnings).map((c): Desired<ClassRecord> => {
    // A class only the public timetable shows has no name there: the row keeps the one it has.
    const name = c.name === undefined ? (stored.get(c.id)?.name ?? c.abbrev) : displayName(c.name, c.abbrev);
    const fields = { name, abbrev: c.abbrev };
    return { externalId: c.id, fields, hashFields: [fields.name, fields.abbrev] };
  });
  const plan = planEntity(current.classes, desired, newId, (row) => scope.catalogExempt || scope.invalid.classes.has(row.externalId));
  return { plan, idOf: idLookup(current.classes, plan) };
}

export type PlannedSubjects = Planned<SubjectRecord> & {
  /** The key a roster subject id is planned under (subject-keys.ts). */
  keyOf: (rosterSubjectId: string) => string;
  rekeys: Rekey[];
  /** Enrollment rows as they are, under their new keys. */
  enrollments: CurrentEnrollment[];
};

export function planSubjects({ roster, current, newId, warnings, scope }: PlanInput): PlannedSubjects {
  const keys = resolveSubjectKeys(roster.subjects, current.subjects, current.enrollments);
  const desired = distinctById(
    roster.subjects.map((s) => ({ ...s, id: keys.keyOf(s.id) })),
    "subject",
    warnings,
  ).map((s): Desired<SubjectRecord> => {
    const fields = { name: displayName(s.name, s.abbrev), abbrev: s.abbrev };
    return { externalId: s.id, fields, hashFields: [fields.name, fields.abbrev] };
  });
  const plan = planEntity(keys.subjects, desired, newId, (row) => scope.catalogExempt || scope.invalid.subjects.has(row.externalId));
  if (keys.rekeys.length > 0) {
    const n = keys.rekeys.filter((r) => r.type === "subject").length;
    warnings.push({
      code: ROSTER_WARNING.subjectRekeyed,
      message: `${n} subject(s) known only by abbreviation now show their Bakaláři id; their rows and enrollments are kept under it`,
    });
  }
  return {
    plan,
    idOf: idLookup(keys.subjects, plan),
    keyOf: keys.keyOf,
    rekeys: keys.rekeys,
    enrollments: keys.enrollments,
  };
}

export type PlannedUsers = Planned<UserRecord> & { ids: Set<string> };

/** Teachers and students share one table and one id space. */
export function planUsers({ roster, current, newId, warnings, scope }: PlanInput, classes: Planned<ClassRecord>): PlannedUsers {
  const desired: Desired<UserRecord>[] = [];
  const ids = new Set<string>();
  const stored = new Map(current.users.map((r) => [r.externalId, r]));
  for (const t of distinctById(roster.teachers, "teacher", warnings)) {
    ids.add(t.id);
    // The public timetable gives no teacher abbreviation: the row keeps the one it has.
    const abbrev = t.abbrev ?? stored.get(t.id)?.abbrev ?? "";
    const fields: UserRecord = { name: displayName(t.name, abbrev), abbrev, role: "teacher", classId: null };
    desired.push({ externalId: t.id, fields, hashFields: ["teacher", fields.name, fields.abbrev, null] });
  }
  for (const s of distinctById(roster.students, "student", warnings)) {
    if (ids.has(s.id)) {
      warnings.push({
        code: ROSTER_WARNING.userIdConflict,
        message: "A student has the id of a teacher; the student is skipped",
        externalId: s.id,
      });
      continue;
    }
    if (!scope.rosterClasses.has(s.classId)) {
      warnings.push({
        code: ROSTER_WARNING.studentClassUnknown,
        message: "A student's class is not in the timetable; the student is skipped",
        externalId: s.id,
      });
      continue;
    }
    ids.add(s.id);
    const abbrev = s.abbrev ?? "";
    const name = displayName(s.name, abbrev);
    // The row holds the class's internal id; the hash holds its external id, which never changes.
    desired.push({
      externalId: s.id,
      fields: { name, abbrev, role: "student", classId: classes.idOf(s.classId) },
      hashFields: ["student", name, abbrev, s.classId],
    });
  }
  const plan = planEntity<UserRecord, CurrentUser>(current.users, desired, newId, (row) => {
    if (scope.invalid.users.has(row.externalId)) return true;
    if (row.role === "teacher") return scope.catalogExempt;
    return !scope.classAccountedFor(scope.classOfRow(row.classId));
  });
  return { plan, idOf: idLookup(current.users, plan), ids };
}

/** An enrollment's fields are its key: its content hash covers none. */
const NO_FIELDS: readonly (string | null)[] = [];

/** Students' subjects and teachers' assignments; the key says it all, so no field ever updates. */
export function planEnrollments(
  { roster, current, newId, warnings, scope }: PlanInput,
  planned: { classes: Planned<ClassRecord>; subjects: PlannedSubjects; users: PlannedUsers },
): EntityPlan<EnrollmentRecord> {
  const { classes, subjects, users } = planned;
  const desired: Desired<EnrollmentRecord>[] = [];
  const known = new Set<string>();
  const knownSubjects = new Set(roster.subjects.map((s) => subjects.keyOf(s.id)));
  // Runs for every enrollment of the school: no copies of the lists, no object spreads.
  for (const list of [roster.teachingAssignments, roster.studentEnrollments]) {
    for (const listed of list) {
      const e = { userId: listed.userId, subjectId: subjects.keyOf(listed.subjectId), classId: listed.classId };
      const externalId = enrollmentKey(e);
      if (known.has(externalId)) continue;
      known.add(externalId);
      if (!users.ids.has(e.userId) || !knownSubjects.has(e.subjectId) || !scope.rosterClasses.has(e.classId)) {
        warnings.push({
          code: ROSTER_WARNING.enrollmentReferenceUnknown,
          message: "An enrollment names a user, subject or class the snapshot lacks; it is skipped",
          externalId,
        });
        continue;
      }
      const fields = { userId: users.idOf(e.userId), subjectId: subjects.idOf(e.subjectId), classId: classes.idOf(e.classId) };
      desired.push({ externalId, fields, hashFields: NO_FIELDS });
    }
  }

  // A pupil still in a class (in a read group of it) whose subjects were not all seen keeps
  // the enrollments there that were not seen; one who left the class does not.
  const stillIn = new Set<string>();
  for (const g of roster.groups) {
    if (g.roster.status !== "read") continue;
    for (const studentId of g.roster.studentIds) stillIn.add(`${g.classId}|${studentId}`);
  }
  // An enrollment's ref names its user, subject (under its current key) and class.
  const userByExternalId = new Map(current.users.map((u) => [u.externalId, u]));
  return planEntity<EnrollmentRecord, CurrentEnrollment>(subjects.enrollments, desired, newId, (row) => {
    const key = parseEnrollmentKey(row.externalId);
    // A ref that is not user|subject|class: nothing says what it is, so it is left as it is.
    if (key === null) return true;
    const user = userByExternalId.get(key.userId);
    if (scope.invalid.users.has(key.userId) || scope.invalid.subjects.has(key.subjectId)) return true;
    if (user?.role !== "student") return scope.catalogExempt || (user !== undefined && scope.teachersPartial.has(key.userId));
    if (!scope.classAccountedFor(key.classId)) return true;
    return stillIn.has(`${key.classId}|${key.userId}`) && !scope.subjectsComplete.has(key.classId);
  });
}

/** Ids of records dropped by validation, by table. */
function droppedIds(dropped: DroppedRecord[]): PlanScope["invalid"] {
  const out = { classes: new Set<string>(), subjects: new Set<string>(), users: new Set<string>() };
  for (const d of dropped) {
    if (d.externalId === undefined) continue;
    if (d.entity === "class") out.classes.add(d.externalId);
    else if (d.entity === "subject") out.subjects.add(d.externalId);
    else if (d.entity === "teacher" || d.entity === "student") out.users.add(d.externalId);
  }
  return out;
}
