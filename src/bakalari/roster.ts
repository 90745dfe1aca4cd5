/**
 * The normalized snapshot the Bakaláři source hands to the sync. Every id is a
 * Bakaláři id kept byte for byte (" 6" and "U  12" are different from "6" and "U 12").
 */
import { ROSTER_WARNING, type BakalariErrorCode, type WarningCode } from "../codes";

/**
 * A field left undefined is one no view of this run supplies (the public timetable gives a
 * class no name and a teacher no abbreviation): the row keeps what it has.
 */
export type RosterClass = { id: string; abbrev: string; name: string | undefined };
/** A subject seen only on the public timetable has no Bakaláři id: its id is `publicSubjectId(abbrev)`. */
export type RosterSubject = { id: string; abbrev: string; name: string };
export type RosterTeacher = { id: string; abbrev: string | undefined; name: string };

/**
 * The key of a subject known only by its abbreviation (the public timetable gives no subject
 * id; the abbreviation is unique per subject within a school). "|" never occurs in a
 * Bakaláři id, so it can never collide with one; once a run learns the subject's id, the
 * row is re-keyed to it.
 */
export const PUBLIC_SUBJECT_PREFIX = "abbrev|";
export const publicSubjectId = (abbrev: string) => `${PUBLIC_SUBJECT_PREFIX}${abbrev}`;
export type RosterStudent = {
  id: string;
  name: string;
  classId: string;
  /** Bakaláři's Abbrev, to show when name is "" (the source always sets it; optional for older callers). */
  abbrev?: string;
};

/** Whether a group's roster (its students) could be read, and if not, why. */
export type GroupRoster =
  /** Read in this run, or (reusedFrom set) kept from an earlier run's read, on an incremental tick. */
  | { status: "read"; studentIds: string[]; reusedFrom?: string }
  /** No lesson of the group in the class book window (holidays, or a group that does not meet). */
  | { status: "no_lesson" }
  /** The group's absence list could not be fetched or parsed, after retries. */
  | { status: "failed"; reason: string };

export type RosterGroup = {
  id: string;
  classId: string;
  abbrev: string;
  name: string;
  roster: GroupRoster;
};

/** A user taking (student) or teaching (teacher) a subject in a class. */
export type RosterEnrollment = { userId: string; subjectId: string; classId: string };

/**
 * An enrollment's key, and its row's external id (DESIGN.md): user|subject|class. Bakaláři
 * ids never hold "|" (schemas.ts refuses them), so only a subject key may, and the first and
 * last "|" still split it.
 */
export const enrollmentKey = ({ userId, subjectId, classId }: RosterEnrollment) => `${userId}|${subjectId}|${classId}`;

/** The user, subject and class of an enrollment's key; null for a string that is not one. */
export function parseEnrollmentKey(key: string): RosterEnrollment | null {
  const first = key.indexOf("|");
  const last = key.lastIndexOf("|");
  if (first <= 0 || last <= first + 1 || last === key.length - 1) return null;
  return { userId: key.slice(0, first), subjectId: key.slice(first + 1, last), classId: key.slice(last + 1) };
}

/** Shows an id with its spaces (" 6") in messages. */
export const q = (id: string) => JSON.stringify(id);

/**
 * Keeps the first record of each id. Identical repeats are dropped silently; a different
 * record under a taken id is reported, not merged.
 */
export function distinctById<T extends { id: string }>(items: readonly T[], entity: RosterEntity, warnings: RosterWarning[]): T[] {
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

/** What kind of record a warning's externalId names. */
export type RosterEntity = "class" | "group" | "subject" | "teacher" | "student" | "lesson";

export type RosterWarning = {
  code: WarningCode;
  message: string;
  /** The Bakaláři id the warning is about, when there is one (never a name). */
  externalId?: string;
  /** The kind of record externalId names, so a caller can leave that row as it is. */
  entity?: RosterEntity;
};

/** Why a class's students were not all seen in a run (so none of them is deactivated). */
export type ExemptReason =
  /** The class book has no lesson at all in the window. */
  | "holidays"
  /** The account may not read the class book (a student or parent, or the class book was refused). */
  | "account_scope"
  /** No group of the class is known by id (neither the timetable nor the class book shows one). */
  | "no_group_known"
  /** None of the class's groups has a lesson in the account's class book. */
  | "not_in_classbook"
  /** A group of the class had no lesson in the class book window. */
  | "no_lesson"
  /** A group's absence list could not be read. */
  | "request_failed"
  /** Only split groups were read: without the whole-class group, pupils in no read group are unseen. */
  | "no_whole_class_group"
  /** A group record failed validation, so its class is unknown. */
  | "invalid_record";

/** What a run could see: in the run record, the API's answer and the log events. Counts and ids, never names. */
export type Coverage = {
  account: { type: string | null };
  catalog: {
    classes: number;
    teachers: number;
    subjects: number;
    groups: number;
    publicTimetable: "read" | "off" | "unavailable";
    /** When the public timetable this run used was read: now, or the earlier read kept while it is unavailable. */
    publicTimetableReadAt: string | null;
  };
  rosters: {
    /** Groups of the catalog's classes whose id is known. */
    groups: number;
    groupsRead: number;
    groupsReused: number;
    oldestReusedAt: string | null;
    classes: number;
    /** Classes whose every pupil was seen: their whole-class group and every other known group read. */
    classesRead: number;
    classesExempt: number;
    /**
     * Read classes whose subjects could not be shown to be whole (the account's timetable is its
     * own): an enrollment of a pupil who stays in such a class is kept even when not seen.
     */
    classesSubjectsUnverified: number;
    /** Each exempt class and why, by id. */
    exempt: { classId: string; reason: ExemptReason }[];
  };
};

/** A record dropped by validation: its row is left as it is. */
export type DroppedRecord = { entity: RosterEntity; externalId?: string };

/**
 * What the planner may conclude from what the snapshot lacks. Only what the source saw
 * whole can make a row inactive; everything else is left as it is.
 */
export type RosterScope = {
  /** The classes, subjects, teachers and teaching assignments listed are the whole school's. */
  catalogComplete: boolean;
  /** Classes whose every pupil was seen: a pupil of one of these who was not seen has left it. */
  studentsComplete: string[];
  /** Of those, classes whose every subject was seen: a pupil's enrollment there that was not seen has ended. */
  subjectsComplete: string[];
  /** Teachers whose teaching was not seen whole (a public lesson of theirs could not be placed): their assignments are kept. */
  teachersPartial: string[];
  /** Records Bakaláři sent that failed validation. */
  dropped: DroppedRecord[];
};

export type Roster = {
  classes: RosterClass[];
  groups: RosterGroup[];
  subjects: RosterSubject[];
  teachers: RosterTeacher[];
  /** Students of the rosters that were read, each once, with the class their groups belong to. */
  students: RosterStudent[];
  /** A student's subjects: those of the groups they belong to. */
  studentEnrollments: RosterEnrollment[];
  /** A teacher's (subject, class) pairs from the permanent timetable. */
  teachingAssignments: RosterEnrollment[];
  warnings: RosterWarning[];
  scope: RosterScope;
  coverage: Coverage;
};

/** A source failure. The message says what failed and where, never a credential, token or name. */
export class BakalariError extends Error {
  /** A signed-in account was refused this resource (403, or 401 to a fresh token): a question of scope, not of the password. */
  readonly refusedResource: boolean;
  constructor(
    readonly code: BakalariErrorCode,
    message: string,
    /** The endpoint path involved, e.g. "/api/3/timetable/permanent". */
    readonly endpoint?: string,
    options: { refusedResource?: boolean } = {},
  ) {
    super(message);
    this.name = "BakalariError";
    this.refusedResource = options.refusedResource ?? false;
  }
}
