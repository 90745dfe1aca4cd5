/**
 * Every code the service speaks, in one closed list per kind. Operators' scripts branch
 * on them (DESIGN.md names the contract's ones), so a code is declared here or nowhere:
 * each place that carries one is typed by these unions, and the compiler refuses any other.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Why the Bakaláři source could not give a run its snapshot; the run fails (HTTP 502 to a POST). */
export const BAKALARI_ERROR_CODES = ["BAKALARI_AUTH", "BAKALARI_UNAVAILABLE", "BAKALARI_PAYLOAD", "BAKALARI_EMPTY_FEED"] as const;
export type BakalariErrorCode = (typeof BAKALARI_ERROR_CODES)[number];

/** The errors a run's record holds (`sync_runs.errors`, the `sync_fail` event). */
export const RUN_ERROR_CODES = [
  ...BAKALARI_ERROR_CODES,
  /** A database or unexpected failure; the message names the Postgres error code, never a value. */
  "SYNC_FAILED",
  /** One per hold reason of a held run. */
  "SAFETY_HOLD",
  /** The run's lease expired while it ran, and another run took over; nothing was applied. */
  "LEASE_LOST",
  /** A run that stopped without finishing, closed by the next run. */
  "LEASE_EXPIRED",
  /** Stands for the errors a long list had to leave out (src/sync/issues.ts). */
  "ERRORS_OMITTED",
] as const;
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];

/** The warnings of a run: what the source could not see or had to skip, and what the planner left as it was. */
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
  /**
   * The account cannot see part of the school: a student or parent account, a class book it
   * may not read, or classes whose rosters lie outside its class book. What it cannot see is
   * left as it is.
   */
  accountScope: "BAKALARI_ACCOUNT_SCOPE",
  /** The public timetable could not be read whole: nothing it showed before is deactivated. */
  publicTimetableUnavailable: "BAKALARI_PUBLIC_TIMETABLE_UNAVAILABLE",
  /** The class book has lessons, but none of them belongs to a class of the catalog. */
  scopeMismatch: "BAKALARI_SCOPE_MISMATCH",
  /** The rosters last read could not be read or kept: the run reads every roster. */
  rostersNotKept: "BAKALARI_ROSTERS_NOT_KEPT",
  /** The cached token pair could not be decrypted (key rotated?) and was discarded. */
  tokenCacheUnreadable: "BAKALARI_TOKEN_CACHE_UNREADABLE",
  /** The token cache table could not be read or written; the run went on without it. */
  tokenCacheFailed: "BAKALARI_TOKEN_CACHE_FAILED",
  /** A subject known only by abbreviation now shows its Bakaláři id; its rows are kept under it. */
  subjectRekeyed: "SUBJECT_REKEYED",
  /** A student has the id of a teacher; the student is skipped. */
  userIdConflict: "USER_ID_CONFLICT",
  /** A student's class is not in the catalog; the student is skipped. */
  studentClassUnknown: "STUDENT_CLASS_UNKNOWN",
  /** An enrollment names a user, subject or class the snapshot lacks; it is skipped. */
  enrollmentReferenceUnknown: "ENROLLMENT_REFERENCE_UNKNOWN",
  /** Classes not seen whole: none of their students or student enrollments is deactivated. */
  classesExempt: "CLASSES_EXEMPT",
  /** The connection broke after COMMIT; the run's own record shows it was applied. */
  commitConfirmedLate: "COMMIT_CONFIRMED_LATE",
  /** A cron run found another run in progress and skipped. */
  syncRunning: "SYNC_RUNNING",
  /** Stands for the warnings a long list had to leave out (src/sync/issues.ts). */
  warningsOmitted: "WARNINGS_OMITTED",
} as const;
export type WarningCode = (typeof ROSTER_WARNING)[keyof typeof ROSTER_WARNING];

/** Every error code of the HTTP API, with the status it is answered with. */
export const API_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNSUPPORTED_CONTENT_TYPE: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SYNC_RUNNING: 409,
  PAYLOAD_TOO_LARGE: 413,
  SAFETY_HOLD: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  CONFIG_INVALID: 500,
  // A run that failed answers with its own error code: the source's are the school's server's fault.
  BAKALARI_AUTH: 502,
  BAKALARI_UNAVAILABLE: 502,
  BAKALARI_PAYLOAD: 502,
  BAKALARI_EMPTY_FEED: 502,
  SYNC_FAILED: 500,
  LEASE_LOST: 500,
  LEASE_EXPIRED: 500,
  ERRORS_OMITTED: 500,
} as const satisfies Record<string, ContentfulStatusCode> & Record<RunErrorCode, ContentfulStatusCode>;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;
