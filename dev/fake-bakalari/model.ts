/**
 * The fake school's model: what a school is (its records, its groups' members and the
 * permanent timetable's atoms), the parameters it is generated from, and the constants
 * every view of it shares. The served payloads and the `/_fake/expected` oracle are both
 * computed from it; school-generation.ts makes one from (seed, size).
 */
import type { SchoolSize } from "./control";
import type { Rng } from "./random";

export type { SchoolSize };
export type SchoolParams = { seed: number; classes: number; studentsPerClass: number; teachers: number; subjects: number };

export const SIZE_PRESETS: Record<SchoolSize, Omit<SchoolParams, "seed">> = {
  small: { classes: 8, studentsPerClass: 25, teachers: 20, subjects: 18 },
  medium: { classes: 40, studentsPerClass: 25, teachers: 70, subjects: 40 },
  large: { classes: 120, studentsPerClass: 25, teachers: 200, subjects: 60 },
};

export const DEFAULT_SEED = 1;

/** Bounds that keep a hand-sized school generable (at least one regular subject besides AJ, TV and the languages). */
export const PARAM_LIMITS = {
  classes: [1, 400],
  studentsPerClass: [1, 60],
  teachers: [1, 2000],
  subjects: [6, 300],
} as const;

export type Gender = "M" | "F";
export type SubjectKind = "regular" | "english" | "language" | "pe";
export type GroupKind = "whole" | "english" | "language" | "pe";

export type Subject = { id: string; abbrev: string; name: string; kind: SubjectKind; weeklyHours: number };
export type Teacher = { id: string; abbrev: string; name: string; subjectIds: string[] };
export type Room = { id: string; abbrev: string; name: string };
export type SchoolClass = { id: string; abbrev: string; name: string; grade: number; homeRoomId: string };
export type Group = {
  id: string;
  classId: string;
  abbrev: string;
  name: string;
  kind: GroupKind;
  /** A number of its own, used to build lesson ids (which must not carry the id's spaces). */
  serial: number;
  gender?: Gender;
  /** The subject an English half or a language group is for. */
  subjectId?: string;
  members: Set<string>;
};
export type Student = {
  id: string;
  name: string;
  abbrev: string;
  firstName: string;
  lastName: string;
  gender: Gender;
  /** The home class: the class whose whole-class group the student is in. */
  classId: string;
  registrationNumber: number;
  isAdult: boolean;
  groupIds: Set<string>;
};
/** One cell of the permanent timetable: a lesson of one subject with one teacher for one or a few groups; `roomId` may be "". */
export type Atom = { dayOfWeek: number; hourId: number; groupIds: string[]; subjectId: string; teacherId: string; roomId: string };

/** The people behind the sign-in accounts (see `pickAccounts` in accounts.ts); the parent has an id of its own (PARENT_USER_ID). */
export type AccountPersons = { headmasterId: string; teacherId: string; studentId: string };

export type School = {
  params: SchoolParams;
  classes: Map<string, SchoolClass>;
  groups: Map<string, Group>;
  subjects: Map<string, Subject>;
  teachers: Map<string, Teacher>;
  rooms: Map<string, Room>;
  students: Map<string, Student>;
  atoms: Atom[];
  holidays: boolean;
  /** Bumped by every change; payload caches are keyed by it. */
  version: number;
  /** Draws for changes, a stream of its own so that a change sequence is as deterministic as the school. */
  rng: Rng;
  usedUserIds: Set<string>;
  usedCodes: Set<string>;
  accounts: AccountPersons;
};

/** The Hours of the timetable: Id 1 is the early "zero" hour nobody is scheduled in. */
export const HOURS = [
  { Id: 1, Caption: "0", BeginTime: "7:05", EndTime: "7:50" },
  { Id: 2, Caption: "1", BeginTime: "8:00", EndTime: "8:45" },
  { Id: 3, Caption: "2", BeginTime: "8:55", EndTime: "9:40" },
  { Id: 4, Caption: "3", BeginTime: "10:00", EndTime: "10:45" },
  { Id: 5, Caption: "4", BeginTime: "10:55", EndTime: "11:40" },
  { Id: 6, Caption: "5", BeginTime: "11:50", EndTime: "12:35" },
  { Id: 7, Caption: "6", BeginTime: "12:45", EndTime: "13:30" },
  { Id: 8, Caption: "7", BeginTime: "13:40", EndTime: "14:25" },
  { Id: 9, Caption: "8", BeginTime: "14:35", EndTime: "15:20" },
  { Id: 10, Caption: "9", BeginTime: "15:25", EndTime: "16:10" },
] as const;
/** The weekdays lessons are on, as Bakaláři numbers them (Monday is 1). */
export const SCHOOL_DAYS = [1, 2, 3, 4, 5];

/** Two student ids that differ only by whitespace: a client that trims ids merges them, visibly. */
export const WHITESPACE_TWINS = ["U  12", "U 12"] as const;
/** The parent account's own user id: parents are no persons of the model, so this one is reserved. */
export const PARENT_USER_ID = "URODC";

/** Name as a client shows it: Bakaláři's Name, or the Abbrev when Name is empty. */
export const shownName = (r: { name: string; abbrev: string }) => r.name || r.abbrev;

export function resolveParams(input: { size?: SchoolSize; seed?: number } & Partial<Omit<SchoolParams, "seed">>): SchoolParams {
  const preset = SIZE_PRESETS[input.size ?? "small"];
  const params: SchoolParams = {
    seed: input.seed ?? DEFAULT_SEED,
    classes: input.classes ?? preset.classes,
    studentsPerClass: input.studentsPerClass ?? preset.studentsPerClass,
    teachers: input.teachers ?? preset.teachers,
    subjects: input.subjects ?? preset.subjects,
  };
  if (!Number.isInteger(params.seed)) throw new Error("seed must be an integer");
  for (const key of Object.keys(PARAM_LIMITS) as (keyof typeof PARAM_LIMITS)[]) {
    const [lo, hi] = PARAM_LIMITS[key];
    const value = params[key];
    if (!Number.isInteger(value) || value < lo || value > hi) throw new Error(`${key} must be an integer from ${lo} to ${hi}`);
  }
  return params;
}
