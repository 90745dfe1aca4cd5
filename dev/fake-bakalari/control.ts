/**
 * A typed client of the fake school's control API (`/_fake/…`), and the wire types
 * of that API. It uses only the global `fetch` and has no runtime imports, so tests
 * can use it in Node and inside workerd alike.
 */
import type { RosterClass, RosterEnrollment, RosterStudent, RosterSubject, RosterTeacher } from "../../src/bakalari/roster";

export type SchoolSize = "small" | "medium" | "large";

export type ResetOptions = {
  size?: SchoolSize;
  seed?: number;
  classes?: number;
  studentsPerClass?: number;
  teachers?: number;
  subjects?: number;
  username?: string;
  password?: string;
};

export type SchoolCounts = {
  classes: number;
  groups: number;
  students: number;
  teachers: number;
  subjects: number;
  studentEnrollments: number;
  teachingAssignments: number;
};

export type ResetResult = {
  ok: true;
  params: { seed: number; classes: number; studentsPerClass: number; teachers: number; subjects: number };
  counts: SchoolCounts;
  username: string;
};

/** The school's true roster, in the shapes of src/bakalari/roster.ts. */
export type ExpectedRoster = {
  classes: RosterClass[];
  subjects: RosterSubject[];
  teachers: RosterTeacher[];
  students: RosterStudent[];
  studentEnrollments: RosterEnrollment[];
  teachingAssignments: RosterEnrollment[];
};

export type FakeStats = {
  /** Requests to the Bakaláři endpoints (`/api/…`, and the public timetable's `/Timetable/…` and `/login`), faulted ones included; keys like "GET /api/3/lesson/:lessonId/absence". */
  requests: { total: number; byEndpoint: Record<string, number> };
  logins: { password: number; refresh: number; failed: number };
};

export type ChangeOp =
  | { op: "moveStudent"; studentId?: string; toClassId?: string }
  | { op: "renameSubject"; subjectId?: string; name: string }
  | { op: "addStudents"; classId?: string; count: number }
  | { op: "dropStudents"; count: number }
  | { op: "dropHalf" }
  | { op: "holidays"; on: boolean }
  | { op: "churn"; fraction: number }
  | { op: "studentInTwoClasses"; studentId?: string };

export type StudentMove = { studentId: string; fromClassId: string; toClassId: string };

export type ChangeResults = {
  moveStudent: { ok: true } & StudentMove;
  renameSubject: { ok: true; subjectId: string; oldName: string; name: string };
  addStudents: { ok: true; classId: string; studentIds: string[] };
  dropStudents: { ok: true; studentIds: string[] };
  dropHalf: { ok: true; classIds: string[]; studentIds: string[] };
  holidays: { ok: true; on: boolean };
  churn: {
    ok: true;
    moved: StudentMove[];
    added: { studentId: string; classId: string }[];
    dropped: string[];
    renamedStudents: string[];
    renamedSubjects: string[];
  };
  studentInTwoClasses: { ok: true; studentId: string; classId: string; otherClassId: string; groupId: string };
};

export type ChangeResult<K extends ChangeOp["op"] = ChangeOp["op"]> = ChangeResults[K];

export type FaultKind = "latency" | "status" | "rateLimit" | "reset" | "malformed" | "truncated" | "wrongShape";

/** `path` is a regular expression matched against the request path; `times` bounds how many requests the rule hits. */
export type FaultRule = { path: string; times?: number } & (
  | { kind: "latency"; ms: number }
  | { kind: "status"; status?: number }
  | { kind: "rateLimit"; retryAfter?: number }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "truncated" }
  | { kind: "wrongShape" }
);

/** A rule as the server holds it: how often it hit, and how many hits it has left (null: unbounded). */
export type ActiveFaultRule = FaultRule & { hits: number; remaining: number | null };

export type AuthOptions = { accessTokenLifetimeSec?: number; expireAccessTokens?: true; password?: string };
export type AuthResult = { ok: true; accessTokenLifetimeSec: number; expired: number };

/** What the public timetable pages (`/Timetable/Public…`) do: served from the model ("on"), or a way a school's may be off. */
export type PublicTimetableMode = "on" | "loginRedirect" | "notFound" | "serverError" | "emptyLists" | "unrecognised" | "unusableIds";

/** Who an account is: the school's management, a teacher, a student, or that student's parent. */
export type AccountKind = "management" | "teacher" | "student" | "parent";

/** A sign-in account of the school; `userType` is the `UserType` string GET /api/3/user answers. */
export type FakeAccount = { username: string; kind: AccountKind; userType: string; personId: string };

/**
 * What nobody has documented, switchable: whether the management's personal timetable and
 * class book cover the whole school or only its own lessons, and whether a teacher's
 * personal timetable and class book do (its own lessons by default: inferred, not captured).
 */
export type Assumptions = {
  managementTimetable: "school" | "own";
  managementClassbook: "school" | "own";
  teacherTimetable: "own" | "school";
  teacherClassbook: "own" | "school";
};

/** What an account's own views show (ids, deduplicated, in the school's order). */
export type VisibleToAccount = {
  timetableClassIds: string[];
  timetableGroupIds: string[];
  timetableSubjectIds: string[];
  timetableTeacherIds: string[];
  /** Groups of every lesson its class book can show on a school day; empty when the class book is refused. */
  classbookGroupIds: string[];
};

export class FakeControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    message: string,
  ) {
    super(message);
    this.name = "FakeControlError";
  }
}

export function fakeControl(baseUrl: string) {
  const call = async <T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new FakeControlError(response.status, text, `fake Bakaláři: ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    /** Regenerates the school (options not given come from the server's start options) and forgets tokens, faults and counters. */
    reset: (options: ResetOptions = {}) => call<ResetResult>("POST", "/_fake/reset", options),
    expected: () => call<ExpectedRoster>("GET", "/_fake/expected"),
    stats: () => call<FakeStats>("GET", "/_fake/stats"),
    change: <K extends ChangeOp["op"]>(op: Extract<ChangeOp, { op: K }>) => call<ChangeResult<K>>("POST", "/_fake/change", op),
    setFaults: (rules: FaultRule[]) => call<{ ok: true; rules: number }>("POST", "/_fake/faults", { rules }),
    clearFaults: () => call<{ ok: true; cleared: number }>("DELETE", "/_fake/faults"),
    /** The rules in force, with their hit counts. */
    faults: () => call<{ rules: ActiveFaultRule[] }>("GET", "/_fake/faults"),
    auth: (options: AuthOptions) => call<AuthResult>("POST", "/_fake/auth", options),
    /** Switches the public timetable pages (a reset turns them back "on"). */
    publicTimetable: (mode: PublicTimetableMode) =>
      call<{ ok: true; mode: PublicTimetableMode }>("POST", "/_fake/public-timetable", { mode }),
    publicTimetableMode: () => call<{ mode: PublicTimetableMode }>("GET", "/_fake/public-timetable"),
    accounts: () => call<{ accounts: FakeAccount[] }>("GET", "/_fake/accounts"),
    /** Changes the `UserType` string an account's GET /api/3/user answers (its behaviour stays that of its kind). */
    setUserType: (username: string, userType: string) =>
      call<{ ok: true; account: FakeAccount }>("POST", "/_fake/accounts", { username, userType }),
    visible: (username: string) => call<VisibleToAccount>("GET", `/_fake/visible?username=${encodeURIComponent(username)}`),
    assumptions: () => call<Assumptions>("GET", "/_fake/assumptions"),
    setAssumptions: (assumptions: Partial<Assumptions>) =>
      call<{ ok: true; assumptions: Assumptions }>("POST", "/_fake/assumptions", assumptions),
  };
}

export type FakeControl = ReturnType<typeof fakeControl>;
