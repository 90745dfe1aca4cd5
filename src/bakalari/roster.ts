/**
 * The normalized snapshot the Bakaláři source hands to the sync. Every id is a
 * Bakaláři id kept byte for byte (" 6" and "U  12" are different from "6" and "U 12").
 */

export type RosterClass = { id: string; abbrev: string; name: string };
export type RosterSubject = { id: string; abbrev: string; name: string };
export type RosterTeacher = { id: string; abbrev: string; name: string };
export type RosterStudent = {
  id: string;
  name: string;
  classId: string;
  /** Bakaláři's Abbrev, to show when name is "" (the source always sets it; optional for older callers). */
  abbrev?: string;
};

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

/** What kind of record a warning's externalId names. */
export type RosterEntity = "class" | "group" | "subject" | "teacher" | "student" | "lesson";

export type RosterWarning = {
  code: string;
  message: string;
  /** The Bakaláři id the warning is about, when there is one (never a name). */
  externalId?: string;
  /** The kind of record externalId names, so a caller can leave that row as it is. */
  entity?: RosterEntity;
};

/** Warning codes the source emits; callers may branch on them. */
export const ROSTER_WARNING = {
  /** A record failed validation and was dropped (externalId and entity name it when it has a usable id). */
  recordInvalid: "BAKALARI_RECORD_INVALID",
  /** Two different records share an id; the first was kept. */
  duplicateId: "BAKALARI_DUPLICATE_ID",
  /** A record refers to an id the timetable does not list. */
  unknownReference: "BAKALARI_UNKNOWN_REFERENCE",
  /** No lesson at all in the class book window (holidays): no roster was read, students are left as they are. */
  noRosters: "BAKALARI_NO_ROSTERS",
  /** A group had no lesson in the window: its class is exempt from deactivation. */
  groupNoLesson: "BAKALARI_GROUP_NO_LESSON",
  /** A group's absence list could not be read: its class is exempt from deactivation. */
  groupRosterFailed: "BAKALARI_GROUP_ROSTER_FAILED",
  /** A student is in groups of more than one class; one class was picked. */
  studentInTwoClasses: "BAKALARI_STUDENT_IN_TWO_CLASSES",
  /** BAKALARI_TOKEN_KEY is unset: the token pair is not cached and every run logs in with the password. */
  tokenNotCached: "BAKALARI_TOKEN_NOT_CACHED",
  /** The cached token pair could not be decrypted (key rotated?) and was discarded. */
  tokenCacheUnreadable: "BAKALARI_TOKEN_CACHE_UNREADABLE",
  /** The token cache table could not be read or written; the run went on without it. */
  tokenCacheFailed: "BAKALARI_TOKEN_CACHE_FAILED",
} as const;

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
