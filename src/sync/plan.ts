/**
 * The planner: a pure function (Roster snapshot, current state) -> Plan. No I/O.
 * The same plan powers real runs, dry runs and safety holds. Its steps, one per table,
 * are in plan-steps.ts; the diff of one table is plan-entity.ts.
 */
import type { Roster, RosterWarning } from "../bakalari/roster";
import { ROSTER_WARNING } from "../codes";
import { uuidFactory } from "./ids";
import { planClasses, planEnrollments, planSubjects, planUsers, scopeOf } from "./plan-steps";
import type { Rekey } from "./subject-keys";

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
/**
 * An enrollment's ref is all its fields (user|subject|class, enrollmentKey): they never change,
 * so the state reads no more of its row than whether it is active.
 */
export type CurrentEnrollment = CurrentRow;

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

/**
 * The plan that brings the tables in step with the snapshot: classes, then subjects (with
 * the re-keys of those now known by id), users and enrollments, each step reading the ids
 * the steps before it planned. Only what the source saw whole may make a row inactive
 * (RosterScope): the rest is left as it is, and said in a warning.
 */
export function planSync(roster: Roster, current: CurrentState, options: PlanOptions = {}): Plan {
  const input = { roster, current, newId: options.newId ?? uuidFactory(), warnings: [...roster.warnings], scope: scopeOf(roster, current) };
  const classes = planClasses(input);
  const subjects = planSubjects(input);
  const users = planUsers(input, classes);
  const enrollments = planEnrollments(input, { classes, subjects, users });

  const exemptClasses = roster.classes.filter((c) => !input.scope.studentsComplete.has(c.id)).length;
  if (exemptClasses > 0) {
    input.warnings.push({
      code: ROSTER_WARNING.classesExempt,
      message: `${exemptClasses} class(es) were not seen whole (coverage says why); none of their students or student enrollments is deactivated in this run`,
    });
  }

  const tables = { classes: classes.plan, subjects: subjects.plan, users: users.plan, enrollments };
  return { ...tables, counts: countsOf(tables), warnings: input.warnings, rekeys: subjects.rekeys };
}

function countsOf(p: Pick<Plan, EntityType>): Counts {
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
