/**
 * What kind of Bakaláři account the sync signed in with, and so what it can see.
 *
 * `UserType` of GET /api/3/user (moduly/user.md shows "parents"); public clients spell the
 * types both ways: teacher/teachers, student/students, parents/parent, and headmastership.
 * A student or parent cannot read class books, so it gets no rosters. A teacher's own
 * timetable holds only its own lessons (inferred: no public capture of a staff account),
 * so what it does not show is not taken as gone. Types nobody has documented are not refused.
 */
export type AccountKind = "student" | "parent" | "teacher" | "management" | "unknown";

const KINDS: Record<string, AccountKind> = {
  student: "student",
  students: "student",
  parent: "parent",
  parents: "parent",
  teacher: "teacher",
  teachers: "teacher",
  headmastership: "management",
};

/** The kind of an account by its UserType, in any case and either spelling; null when it could not be read. */
export function accountKind(userType: string | null): AccountKind {
  if (userType === null) return "unknown";
  return KINDS[userType.trim().toLowerCase()] ?? "unknown";
}

/** Students and parents are refused the class book and its absence lists. */
export function readsClassbook(kind: AccountKind): boolean {
  return kind !== "student" && kind !== "parent";
}

/**
 * Whether the account's own timetable may stand for the whole school, so that a class,
 * subject or teacher it no longer shows may be deactivated. Never for a student, parent
 * or teacher (their timetables are their own), nor when the type could not be read.
 */
export function timetableMayBeWhole(kind: AccountKind, userType: string | null): boolean {
  if (userType === null) return false;
  return kind === "management" || kind === "unknown";
}
