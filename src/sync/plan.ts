/**
 * The planner: a pure function (Roster snapshot, current state) -> Plan. No I/O.
 * The same plan powers real runs, dry runs and safety holds.
 */
import type { DroppedRecord, Roster, RosterWarning } from "../bakalari/roster";
import { contentHash } from "./hash";
import { resolveSubjectKeys, type Rekey } from "./subject-keys";
import { uuidFactory } from "./ids";

export const ENTITY_TYPES = ["classes", "subjects", "users", "enrollments"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export type RefTypeOf<E extends EntityType> = E extends "classes"
  ? "class"
  : E extends "subjects"
    ? "subject"
    : E extends "users"
      ? "user"
      : "enrollment";

export const REF_TYPE: { [E in EntityType]: RefTypeOf<E> } = {
  classes: "class",
  subjects: "subject",
  users: "user",
  enrollments: "enrollment",
};

/** A managed row as the database holds it now, reached through its external ref. */
export type CurrentRow = {
  externalId: string;
  internalId: string;
  contentHash: string;
  active: boolean;
  /** Stored fields of classes, subjects and teachers: kept where no view of a run gives them. */
  name?: string | null;
  abbrev?: string | null;
};
export type CurrentUser = CurrentRow & { role: "student" | "teacher"; classId: string | null };
export type CurrentEnrollment = CurrentRow & { userId: string; subjectId: string; classId: string };

export type CurrentState = {
  classes: CurrentRow[];
  subjects: CurrentRow[];
  users: CurrentUser[];
  enrollments: CurrentEnrollment[];
};

export type ClassRecord = { name: string; abbrev: string };
export type SubjectRecord = { name: string; abbrev: string };
export type UserRecord = { name: string; abbrev: string; role: "student" | "teacher"; classId: string | null };
export type EnrollmentRecord = { userId: string; subjectId: string; classId: string };

/** A row to write: its internal id, external id, content hash and fields. */
export type RowWrite<R> = { id: string; externalId: string; contentHash: string; hashChanged: boolean; fields: R };

export type EntityPlan<R> = {
  create: RowWrite<R>[];
  /** Active rows whose fields changed. */
  update: RowWrite<R>[];
  /** Inactive rows that came back (their fields written too). */
  reactivate: RowWrite<R>[];
  /** Internal ids of active rows a complete source no longer lists. */
  deactivate: string[];
  unchanged: number;
  /** Active managed rows before the run: the base of the safety ratios. */
  activeBefore: number;
};

export type EntityCounts = { created: number; updated: number; unchanged: number; deactivated: number; reactivated: number };
export type Counts = Record<EntityType, EntityCounts>;

export type Plan = {
  classes: EntityPlan<ClassRecord>;
  subjects: EntityPlan<SubjectRecord>;
  users: EntityPlan<UserRecord>;
  enrollments: EntityPlan<EnrollmentRecord>;
  counts: Counts;
  warnings: RosterWarning[];
  /** Refs to re-key before anything else is written (a subject known by abbreviation whose id is now known). */
  rekeys: Rekey[];
};

export type PlanOptions = {
  /** Makes ids for new rows; random v4 UUIDs by default. */
  newId?: () => string;
};

/** The external id of an enrollment, as DESIGN.md fixes it. */
export const enrollmentExternalId = (userId: string, subjectId: string, classId: string) => `${userId}|${subjectId}|${classId}`;

/** Name may be "" in Bakaláři; the roster shows the abbreviation then. */
const displayName = (name: string, abbrev: string) => (name === "" ? abbrev : name);

type Desired<R> = { externalId: string; fields: R; hashFields: (string | null)[] };

export function plan(roster: Roster, current: CurrentState, options: PlanOptions = {}): Plan {
  const newId = options.newId ?? uuidFactory();
  const warnings: RosterWarning[] = [...roster.warnings];
  const { scope } = roster;

  // Only what the source saw whole may make a row inactive (RosterScope); records Bakaláři
  // sent but that failed validation leave their rows as they are.
  const invalid = droppedIds(scope.dropped);
  const catalogExempt = !scope.catalogComplete;
  const studentsComplete = new Set(scope.studentsComplete);
  const subjectsComplete = new Set(scope.subjectsComplete);

  const storedClass = new Map(current.classes.map((r) => [r.externalId, r]));
  const classes = planEntity<ClassRecord, CurrentRow>(
    current.classes,
    uniqueBy(roster.classes, warnings, "class").map((c) => {
      // A class only the public timetable shows has no name there: the row keeps the one it has.
      const name = c.name === undefined ? (storedClass.get(c.id)?.name ?? c.abbrev) : displayName(c.name, c.abbrev);
      const fields = { name, abbrev: c.abbrev };
      return { externalId: c.id, fields, hashFields: [fields.name, fields.abbrev] };
    }),
    newId,
    (row) => catalogExempt || invalid.classes.has(row.externalId),
  );
  const classIdOf = idLookup(current.classes, classes);

  const keys = resolveSubjectKeys(roster.subjects, current.subjects, current.enrollments);
  const subjects = planEntity<SubjectRecord, CurrentRow>(
    keys.subjects,
    uniqueBy(
      roster.subjects.map((s) => ({ ...s, id: keys.keyOf(s.id) })),
      warnings,
      "subject",
    ).map((s) => {
      const fields = { name: displayName(s.name, s.abbrev), abbrev: s.abbrev };
      return { externalId: s.id, fields, hashFields: [fields.name, fields.abbrev] };
    }),
    newId,
    (row) => catalogExempt || invalid.subjects.has(row.externalId),
  );
  const subjectIdOf = idLookup(keys.subjects, subjects);
  if (keys.rekeys.length > 0) {
    const n = keys.rekeys.filter((r) => r.type === "subject").length;
    warnings.push({
      code: "SUBJECT_REKEYED",
      message: `${n} subject(s) known only by abbreviation now show their Bakaláři id; their rows and enrollments are kept under it`,
    });
  }

  // Users: teachers and students share one table and one id space.
  const desiredUsers: Desired<UserRecord>[] = [];
  const userIds = new Set<string>();
  const storedUser = new Map(current.users.map((r) => [r.externalId, r]));
  for (const t of uniqueBy(roster.teachers, warnings, "teacher")) {
    userIds.add(t.id);
    // The public timetable gives no teacher abbreviation: the row keeps the one it has.
    const abbrev = t.abbrev ?? storedUser.get(t.id)?.abbrev ?? "";
    const fields: UserRecord = { name: displayName(t.name, abbrev), abbrev, role: "teacher", classId: null };
    desiredUsers.push({ externalId: t.id, fields, hashFields: ["teacher", fields.name, fields.abbrev, null] });
  }
  const classIdsInRoster = new Set(roster.classes.map((c) => c.id));
  for (const s of uniqueBy(roster.students, warnings, "student")) {
    if (userIds.has(s.id)) {
      warnings.push({ code: "USER_ID_CONFLICT", message: "A student has the id of a teacher; the student is skipped", externalId: s.id });
      continue;
    }
    if (!classIdsInRoster.has(s.classId)) {
      warnings.push({
        code: "STUDENT_CLASS_UNKNOWN",
        message: "A student's class is not in the timetable; the student is skipped",
        externalId: s.id,
      });
      continue;
    }
    userIds.add(s.id);
    // The class is resolved to an internal id after classes are planned; the hash uses the external id.
    const abbrev = s.abbrev ?? "";
    const name = displayName(s.name, abbrev);
    desiredUsers.push({
      externalId: s.id,
      fields: { name, abbrev, role: "student", classId: s.classId },
      hashFields: ["student", name, abbrev, s.classId],
    });
  }
  for (const u of desiredUsers) if (u.fields.classId !== null) u.fields = { ...u.fields, classId: classIdOf(u.fields.classId) };

  const classExternalIdOf = reverseLookup(current.classes);
  const classOfRow = (classId: string | null) => (classId === null ? undefined : classExternalIdOf.get(classId));
  // A pupil's class was seen whole, or is gone from a catalog seen whole (its class is deactivated too).
  const classAccountedFor = (classExt: string | undefined) =>
    classExt !== undefined &&
    (studentsComplete.has(classExt) || (!catalogExempt && !classIdsInRoster.has(classExt) && !invalid.classes.has(classExt)));
  const users = planEntity<UserRecord, CurrentUser>(current.users, desiredUsers, newId, (row) => {
    if (invalid.users.has(row.externalId)) return true;
    if (row.role === "teacher") return catalogExempt;
    return !classAccountedFor(classOfRow(row.classId));
  });
  const userIdOf = idLookup(current.users, users);

  // Enrollments: students' subjects and teachers' assignments; the key says it all, so no field ever updates.
  const desiredEnrollments: Desired<EnrollmentRecord>[] = [];
  const seen = new Set<string>();
  const knownSubjects = new Set(roster.subjects.map((s) => keys.keyOf(s.id)));
  const addEnrollment = (planned: { userId: string; subjectId: string; classId: string }) => {
    const e = { ...planned, subjectId: keys.keyOf(planned.subjectId) };
    const externalId = enrollmentExternalId(e.userId, e.subjectId, e.classId);
    if (seen.has(externalId)) return;
    seen.add(externalId);
    if (!userIds.has(e.userId) || !knownSubjects.has(e.subjectId) || !classIdsInRoster.has(e.classId)) {
      warnings.push({
        code: "ENROLLMENT_REFERENCE_UNKNOWN",
        message: "An enrollment names a user, subject or class the snapshot lacks; it is skipped",
        externalId,
      });
      return;
    }
    desiredEnrollments.push({
      externalId,
      fields: { userId: userIdOf(e.userId), subjectId: subjectIdOf(e.subjectId), classId: classIdOf(e.classId) },
      hashFields: [],
    });
  };
  for (const e of roster.teachingAssignments) addEnrollment(e);
  for (const e of roster.studentEnrollments) addEnrollment(e);

  // A pupil still in a class (in a read group of it) whose subjects were not all seen keeps
  // the enrollments there that were not seen; one who left the class does not.
  const stillIn = new Set<string>();
  for (const g of roster.groups) {
    if (g.roster.status !== "read") continue;
    for (const sid of g.roster.studentIds) stillIn.add(JSON.stringify([g.classId, sid]));
  }
  const userByInternalId = new Map(current.users.map((u) => [u.internalId, u]));
  const subjectExternalIdOf = reverseLookup(keys.subjects);
  const teachersPartial = new Set(scope.teachersPartial);
  const enrollments = planEntity<EnrollmentRecord, CurrentEnrollment>(keys.enrollments, desiredEnrollments, newId, (row) => {
    const user = userByInternalId.get(row.userId);
    if (user && invalid.users.has(user.externalId)) return true;
    if (invalid.subjects.has(subjectExternalIdOf.get(row.subjectId) ?? "")) return true;
    if (user?.role !== "student") return catalogExempt || (user !== undefined && teachersPartial.has(user.externalId));
    const classExt = classOfRow(row.classId);
    if (!classAccountedFor(classExt)) return true;
    return stillIn.has(JSON.stringify([classExt, user.externalId])) && !subjectsComplete.has(classExt!);
  });

  const exemptClasses = roster.classes.filter((c) => !studentsComplete.has(c.id)).length;
  if (exemptClasses > 0) {
    warnings.push({
      code: "CLASSES_EXEMPT",
      message: `${exemptClasses} class(es) were not seen whole (coverage says why); none of their students or student enrollments is deactivated in this run`,
    });
  }

  const plan = { classes, subjects, users, enrollments };
  return { ...plan, counts: countsOf(plan), warnings, rekeys: keys.rekeys };
}

/** Ids of records dropped by validation, by kind. */
function droppedIds(dropped: DroppedRecord[]) {
  const out = { classes: new Set<string>(), subjects: new Set<string>(), users: new Set<string>() };
  for (const d of dropped) {
    if (d.externalId === undefined) continue;
    if (d.entity === "class") out.classes.add(d.externalId);
    else if (d.entity === "subject") out.subjects.add(d.externalId);
    else if (d.entity === "teacher" || d.entity === "student") out.users.add(d.externalId);
  }
  return out;
}

/** Enrollments write no fields beyond their key: one hash serves them all. */
const EMPTY_HASH = contentHash([]);

function planEntity<R, C extends CurrentRow>(
  current: C[],
  desired: Desired<R>[],
  newId: () => string,
  exempt: (row: C) => boolean,
): EntityPlan<R> {
  // Rows are taken out of this map as the snapshot lists them; what remains is unlisted.
  const unlisted = new Map<string, C>();
  const result: EntityPlan<R> = { create: [], update: [], reactivate: [], deactivate: [], unchanged: 0, activeBefore: 0 };
  for (const row of current) {
    unlisted.set(row.externalId, row);
    if (row.active) result.activeBefore += 1;
  }

  for (const d of desired) {
    const hash = d.hashFields.length === 0 ? EMPTY_HASH : contentHash(d.hashFields);
    const row = unlisted.get(d.externalId);
    if (!row) {
      result.create.push({ id: newId(), externalId: d.externalId, contentHash: hash, hashChanged: true, fields: d.fields });
      continue;
    }
    unlisted.delete(d.externalId);
    if (!row.active) {
      result.reactivate.push({
        id: row.internalId,
        externalId: d.externalId,
        contentHash: hash,
        hashChanged: hash !== row.contentHash,
        fields: d.fields,
      });
    } else if (hash !== row.contentHash) {
      result.update.push({ id: row.internalId, externalId: d.externalId, contentHash: hash, hashChanged: true, fields: d.fields });
    } else {
      result.unchanged += 1;
    }
  }
  for (const row of unlisted.values()) {
    if (row.active && !exempt(row)) result.deactivate.push(row.internalId);
    else result.unchanged += 1;
  }
  return result;
}

/** Maps an external id to the row's internal id, existing or planned. */
function idLookup(current: CurrentRow[], planned: EntityPlan<unknown>): (externalId: string) => string {
  const ids = new Map<string, string>();
  for (const row of current) ids.set(row.externalId, row.internalId);
  for (const row of planned.create) ids.set(row.externalId, row.id);
  return (externalId) => {
    const id = ids.get(externalId);
    if (id === undefined) throw new Error(`planner: no row for external id of length ${externalId.length}`);
    return id;
  };
}

function reverseLookup(rows: CurrentRow[]): Map<string, string> {
  return new Map(rows.map((row) => [row.internalId, row.externalId]));
}

/** Keeps the first record of each id; later ones with the same id are reported, not merged. */
function uniqueBy<T extends { id: string }>(records: T[], warnings: RosterWarning[], what: string): T[] {
  const seen = new Map<string, T>();
  for (const record of records) {
    const first = seen.get(record.id);
    if (!first) seen.set(record.id, record);
    else if (JSON.stringify(first) !== JSON.stringify(record)) {
      warnings.push({
        code: "DUPLICATE_ID",
        message: `Two different ${what} records share an id; the first is kept`,
        externalId: record.id,
      });
    }
  }
  return [...seen.values()];
}

function countsOf(p: Omit<Plan, "counts" | "warnings" | "rekeys">): Counts {
  const of = (e: EntityPlan<unknown>): EntityCounts => ({
    created: e.create.length,
    updated: e.update.length,
    unchanged: e.unchanged,
    deactivated: e.deactivate.length,
    reactivated: e.reactivate.length,
  });
  return { classes: of(p.classes), subjects: of(p.subjects), users: of(p.users), enrollments: of(p.enrollments) };
}

/** True when the plan writes nothing. */
export function isEmptyPlan(p: Plan): boolean {
  return (
    p.rekeys.length === 0 &&
    ENTITY_TYPES.every((t) => {
      const e = p[t];
      return e.create.length + e.update.length + e.reactivate.length + e.deactivate.length === 0;
    })
  );
}

/** The rows a plan writes: roster rows, plus a ref for each new row and each changed hash. */
export function rowsToWrite(p: Plan): number {
  return ENTITY_TYPES.reduce((sum, t) => {
    const e: EntityPlan<unknown> = p[t];
    const changedRefs = [...e.update, ...e.reactivate].filter((r) => r.hashChanged).length;
    return sum + 2 * e.create.length + e.update.length + e.reactivate.length + e.deactivate.length + changedRefs;
  }, p.rekeys.length);
}
