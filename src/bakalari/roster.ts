/**
 * The normalized snapshot the Bakaláři source hands to the sync. Every id is a
 * Bakaláři id kept byte for byte (" 6" and "U  12" are different from "6" and "U 12").
 */

export type RosterClass = { id: string; abbrev: string; name: string };
export type RosterSubject = { id: string; abbrev: string; name: string };
export type RosterTeacher = { id: string; abbrev: string; name: string };
export type RosterStudent = { id: string; name: string; classId: string };

/** Whether a group's roster (its students) could be read, and if not, why. */
export type GroupRoster =
  | { status: "read"; studentIds: string[] }
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

export type RosterWarning = {
  code: string;
  message: string;
  /** The Bakaláři id the warning is about, when there is one (never a name). */
  externalId?: string;
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
};

/** Codes a failed source run carries; they are part of the HTTP contract (502 bodies). */
export type BakalariErrorCode = "BAKALARI_AUTH" | "BAKALARI_UNAVAILABLE" | "BAKALARI_PAYLOAD" | "BAKALARI_EMPTY_FEED";

/** A source failure. The message says what failed and where, never a credential, token or name. */
export class BakalariError extends Error {
  constructor(
    readonly code: BakalariErrorCode,
    message: string,
    /** The endpoint path involved, e.g. "/api/3/timetable/permanent". */
    readonly endpoint?: string,
  ) {
    super(message);
    this.name = "BakalariError";
  }
}
