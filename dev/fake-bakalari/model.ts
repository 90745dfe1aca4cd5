/**
 * The fake school: a deterministic model generated from (seed, size), which the
 * served payloads and the `/_fake/expected` oracle are both computed from.
 *
 * Same parameters, same school: every draw comes from the seed's PRNG streams in a
 * fixed order, the accounts' people are picked by fixed rules, and nothing depends on
 * the clock or on Map ordering of external input.
 */
import type { RosterEnrollment } from "../../src/bakalari/roster";
import type { AccountKind, Assumptions, ExpectedRoster, SchoolSize, VisibleToAccount } from "./control";
import { BOY_NAMES, GIRL_NAMES, LANGUAGES, REGULAR_SUBJECTS, SURNAMES, TEACHER_TITLES } from "./names";
import { createRng, type Rng } from "./random";

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

/** The people behind the sign-in accounts (see `pickAccounts`); the parent has an id of its own (PARENT_USER_ID). */
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
const TEACHING_HOURS = [2, 3, 4, 5, 6, 7, 8, 9];
const SCHOOL_DAYS = [1, 2, 3, 4, 5];

const CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Two student ids that differ only by whitespace: a client that trims ids merges them, visibly. */
export const WHITESPACE_TWINS = ["U  12", "U 12"] as const;
/** The parent account's own user id: parents are no persons of the model, so this one is reserved. */
export const PARENT_USER_ID = "URODC";

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

// ---------------------------------------------------------------------------
// Ids

function randomCode(rng: Rng, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[rng.int(0, CODE_ALPHABET.length - 1)];
  return out;
}

/** A user id like Bakaláři's: mostly "UZBNM", a share right-aligned numbers like "U  12" or "U   4". */
export function allocateUserId(school: Pick<School, "usedUserIds">, rng: Rng): string {
  for (;;) {
    const id = rng.chance(0.2) ? "U" + String(rng.int(1, 999)).padStart(4, " ") : "U" + randomCode(rng, 4);
    if (!school.usedUserIds.has(id)) {
      school.usedUserIds.add(id);
      return id;
    }
  }
}

/**
 * A student id not shaped "U…": five characters starting with another letter, like the "GQ1DS"
 * of moduly/events.md. Drawn from the quirks stream; the id space stays shared with teachers.
 */
function allocateOtherUserId(school: Pick<School, "usedUserIds">, rng: Rng): string {
  const letters = LETTERS.replace("U", "");
  for (;;) {
    const id = letters[rng.int(0, letters.length - 1)]! + randomCode(rng, 4);
    if (!school.usedUserIds.has(id)) {
      school.usedUserIds.add(id);
      return id;
    }
  }
}

/**
 * A two-character code for classes, groups and rooms ("0C", "XL"), or with `padded`, a
 * right-aligned number ("  7", " 42"). A crowded space widens to three characters.
 */
function allocateCode(used: Set<string>, rng: Rng, padded = false): string {
  for (let attempt = 0; ; attempt++) {
    const wide = attempt >= 20;
    const id = padded ? String(rng.int(1, wide ? 999 : 99)).padStart(3, " ") : randomCode(rng, wide ? 3 : 2);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

// ---------------------------------------------------------------------------
// Generation

export function generateSchool(params: SchoolParams): School {
  const rng = createRng(params.seed, 0);
  const school: School = {
    params,
    classes: new Map(),
    groups: new Map(),
    subjects: new Map(),
    teachers: new Map(),
    rooms: new Map(),
    students: new Map(),
    atoms: [],
    holidays: false,
    version: 0,
    rng: createRng(params.seed, 1),
    usedUserIds: new Set([PARENT_USER_ID, ...WHITESPACE_TWINS]),
    usedCodes: new Set(),
    accounts: { headmasterId: "", teacherId: "", studentId: "" },
  };
  // The quirks the real captures show (odd student ids, empty abbreviations) draw from a
  // stream of their own, so that the rest of the school is what the seed gave before them.
  const quirks = createRng(params.seed, 2);
  for (const subject of generateSubjects(rng, params.subjects)) school.subjects.set(subject.id, subject);
  for (const teacher of generateTeachers(rng, school)) school.teachers.set(teacher.id, teacher);
  const specialRooms = generateRooms(rng, school);
  generateClassesAndStudents(rng, quirks, school);
  generateTimetable(rng, school, specialRooms);
  school.accounts = pickAccounts(school);
  return school;
}

function generateSubjects(rng: Rng, count: number): Subject[] {
  const special: Omit<Subject, "id">[] = [
    { abbrev: "AJ", name: "Anglický jazyk", kind: "english", weeklyHours: 3 },
    { abbrev: "TV", name: "Tělesná výchova", kind: "pe", weeklyHours: 2 },
    ...LANGUAGES.map(([abbrev, name]) => ({ abbrev, name, kind: "language" as const, weeklyHours: 3 })),
  ];
  const regular: Omit<Subject, "id">[] = [];
  const wanted = count - special.length;
  for (const [abbrev, name, weeklyHours] of REGULAR_SUBJECTS) regular.push({ abbrev, name, kind: "regular", weeklyHours });
  for (const [abbrev, name] of REGULAR_SUBJECTS)
    regular.push({ abbrev: `S${abbrev}`, name: `Seminář – ${name}`, kind: "regular", weeklyHours: 1 });
  for (let n = 1; regular.length < wanted; n++)
    regular.push({ abbrev: `VP${n}`, name: `Volitelný předmět ${n}`, kind: "regular", weeklyHours: 1 });
  regular.length = wanted;
  // Bakaláři numbers subjects and right-aligns the number: " 6", " 9", "15".
  const numbers = rng.shuffle(Array.from({ length: count }, (_, i) => i + 1));
  const subjects = [...regular, ...special].map((s, i) => ({ ...s, id: String(numbers[i]).padStart(2, " ") }));
  // A few records carry an empty Name (clients show Abbrev then); never a core subject.
  const unnamed = [subjects.length > 9 ? 9 : -1, subjects.length > 30 ? 27 : -1];
  for (const i of unnamed) if (i >= 0 && i < regular.length) subjects[i]!.name = "";
  return subjects;
}

function personName(rng: Rng, gender: Gender): { firstName: string; lastName: string } {
  const [masculine, feminine] = rng.pick(SURNAMES);
  return gender === "M" ? { firstName: rng.pick(BOY_NAMES), lastName: masculine } : { firstName: rng.pick(GIRL_NAMES), lastName: feminine };
}

function generateTeachers(rng: Rng, school: School): Teacher[] {
  const subjects = [...school.subjects.values()];
  // AJ and TV first: they split a class between two teachers at once.
  const order = [
    ...subjects.filter((s) => s.kind === "english"),
    ...subjects.filter((s) => s.kind === "pe"),
    ...subjects.filter((s) => s.kind === "language"),
    ...subjects.filter((s) => s.kind === "regular"),
  ].map((s) => s.id);
  const count = school.params.teachers;
  const abbrevs = new Set<string>();
  const teachers: Teacher[] = [];
  for (let i = 0; i < count; i++) {
    const gender: Gender = rng.chance(0.6) ? "F" : "M";
    const { firstName, lastName } = personName(rng, gender);
    const title = rng.pick(TEACHER_TITLES);
    const subjectIds = [order[i % order.length]!];
    if (rng.chance(0.5)) {
      const second = rng.pick(order);
      if (!subjectIds.includes(second)) subjectIds.push(second);
    }
    const unnamed = count >= 3 && (i === 4 % count || rng.chance(0.02));
    teachers.push({
      id: allocateUserId(school, rng),
      abbrev: teacherAbbrev(lastName, firstName, abbrevs),
      name: unnamed ? "" : `${title} ${firstName} ${lastName}`,
      subjectIds,
    });
  }
  // Fewer teachers than subjects: the rest are spread over the staff.
  for (let j = count; j < order.length; j++) teachers[j % count]!.subjectIds.push(order[j]!);
  return teachers;
}

function teacherAbbrev(lastName: string, firstName: string, used: Set<string>): string {
  const candidates = [...lastName.slice(1)].map((ch) => lastName[0]! + ch.toLowerCase());
  candidates.push(lastName[0]! + firstName[0]!);
  let abbrev = candidates.find((c) => !used.has(c));
  for (let n = 2; !abbrev; n++) if (!used.has(lastName.slice(0, 2) + n)) abbrev = lastName.slice(0, 2) + n;
  used.add(abbrev);
  return abbrev;
}

type SpecialRooms = { gyms: [string, string]; languageRooms: string[] };

function generateRooms(rng: Rng, school: School): SpecialRooms {
  const add = (abbrev: string) => {
    const id = allocateCode(school.usedCodes, rng);
    school.rooms.set(id, { id, abbrev, name: "" });
    return id;
  };
  const gyms: [string, string] = [add("Tv1"), add("Tv2")];
  const languageRooms = ["J 31", "J 33", "J 35", "J 37", "Jaz1", "Jaz2"].map(add);
  return { gyms, languageRooms };
}

function classLabel(c: SchoolClass): string {
  return c.name || c.abbrev;
}

function generateClassesAndStudents(rng: Rng, quirks: Rng, school: School): void {
  const { classes: count, studentsPerClass } = school.params;
  const grades = Math.min(9, Math.max(1, Math.ceil(count / 2)));
  const perGrade = Math.ceil(count / grades);
  const paddedDigits = rng.shuffle([1, 2, 3, 4, 5, 7, 8, 9]);
  for (let i = 0; i < count; i++) {
    const grade = Math.floor(i / perGrade) + 1;
    const k = i % perGrade;
    const letter = LETTERS[k % 26]! + (k >= 26 ? String(Math.floor(k / 26)) : "");
    // Class " 6" always exists; other classes are padded numbers now and then, mostly codes.
    let id: string;
    if (i === 0) id = " 6";
    else if (paddedDigits.length > 0 && rng.chance(0.3)) id = " " + paddedDigits.pop();
    else id = allocateCode(school.usedCodes, rng);
    school.usedCodes.add(id);
    const homeRoomId = allocateCode(school.usedCodes, rng);
    school.rooms.set(homeRoomId, { id: homeRoomId, abbrev: `${grade}${letter}`, name: `Kmenová učebna ${grade}. ${letter}` });
    const schoolClass: SchoolClass = {
      id,
      abbrev: `${grade}.${letter}`,
      name: i === 1 && count >= 3 ? "" : `${grade}. ${letter}`,
      grade,
      homeRoomId,
    };
    school.classes.set(id, schoolClass);
    generateGroups(rng, school, schoolClass, i);

    const size = studentsPerClass >= 5 ? studentsPerClass + rng.int(-2, 2) : studentsPerClass;
    for (let s = 0; s < size; s++) {
      // Both genders in every class of two or more, so that both PE groups have members.
      const gender: Gender = s === 0 ? "M" : s === 1 ? "F" : rng.chance(0.5) ? "M" : "F";
      const id = i === 0 && s < 2 ? WHITESPACE_TWINS[s]! : studentId(school, rng, quirks);
      // About one student in a hundred comes with an empty Name; the first class always has one.
      const unnamed = school.students.size === 5 || rng.chance(0.01);
      // About one in fifty has an empty Abbrev instead (moduly/events.md), never both.
      const noAbbrev = !unnamed && (school.students.size === 4 || quirks.chance(0.02));
      const student = createStudent(rng, school, id, gender, grade, unnamed, noAbbrev);
      enrolInClass(school, student, schoolClass.id);
    }
  }
}

/**
 * A student's id: mostly a "U…" id; about one in twenty-five (and always the fourth student)
 * a five-character id of another shape. The "U…" id is drawn either way, which keeps the
 * main stream, and so every other draw of the school, as it was.
 */
function studentId(school: School, rng: Rng, quirks: Rng): string {
  const id = allocateUserId(school, rng);
  return school.students.size === 3 || quirks.chance(0.04) ? allocateOtherUserId(school, quirks) : id;
}

/** A new student (in no group yet); `unnamed` gives the empty Name, `noAbbrev` the empty Abbrev, some real records have. */
export function createStudent(
  rng: Rng,
  school: School,
  id: string,
  gender: Gender,
  grade: number,
  unnamed = false,
  noAbbrev = false,
): Student {
  const { firstName, lastName } = personName(rng, gender);
  const student: Student = {
    id,
    name: unnamed ? "" : `${lastName} ${firstName}`,
    abbrev: noAbbrev ? "" : `${lastName} ${firstName[0]}.`,
    firstName,
    lastName,
    gender,
    classId: "",
    registrationNumber: 0,
    isAdult: grade >= 9 && rng.chance(0.1),
    groupIds: new Set(),
  };
  school.students.set(id, student);
  return student;
}

function generateGroups(rng: Rng, school: School, c: SchoolClass, index: number): void {
  const label = classLabel(c);
  const subjectByAbbrev = new Map([...school.subjects.values()].map((s) => [s.abbrev, s.id]));
  /** A leading space in `nameSuffix` goes to the front of the whole name. */
  const add = (kind: GroupKind, abbrevSuffix: string, nameSuffix: string, extra: { gender?: Gender; subjectId?: string } = {}) => {
    const id = allocateCode(school.usedCodes, rng, rng.chance(0.15));
    const group: Group = {
      id,
      classId: c.id,
      abbrev: abbrevSuffix ? `${c.abbrev} ${abbrevSuffix}` : c.abbrev,
      name: nameSuffix.startsWith(" ") ? ` ${label} ${nameSuffix.slice(1)}` : `${label} ${nameSuffix}`,
      kind,
      // Groups are only ever removed after generation, so the count gives unique serials.
      serial: school.groups.size + 1,
      members: new Set(),
      ...extra,
    };
    school.groups.set(id, group);
  };
  // Group names with a stray space, as in moduly/rozvrh_priklady/bezny.json (" X. a"): a
  // leading one on every third class's whole-class group, a trailing one on the next class's second English half.
  add("whole", "", index % 3 === 0 ? " celá třída" : "celá třída");
  add("english", "AJ1", "Anglický jazyk 1", { subjectId: subjectByAbbrev.get("AJ")! });
  add("english", "AJ2", index % 3 === 1 ? "Anglický jazyk 2 " : "Anglický jazyk 2", { subjectId: subjectByAbbrev.get("AJ")! });
  // Rotating the pair of languages makes every language taught once there are three classes.
  const rotated = [0, 1, 2].map((k) => LANGUAGES[(index + k) % LANGUAGES.length]!);
  const languages = rng.chance(0.3) ? rotated : rotated.slice(0, 2);
  for (const [abbrev, name] of languages) add("language", abbrev, name, { subjectId: subjectByAbbrev.get(abbrev)! });
  add("pe", "TVch", "TV chlapci", { gender: "M" });
  add("pe", "TVd", "TV dívky", { gender: "F" });
}

export function groupsOfClass(school: School, classId: string): Group[] {
  return [...school.groups.values()].filter((g) => g.classId === classId);
}

function smallest(groups: Group[]): Group | undefined {
  return groups.reduce<Group | undefined>((best, g) => (!best || g.members.size < best.members.size ? g : best), undefined);
}

function joinGroup(school: School, student: Student, group: Group): void {
  group.members.add(student.id);
  student.groupIds.add(group.id);
}

/** Puts a student into a class: its whole-class group, the smaller English half, the smallest language group, PE by gender. */
export function enrolInClass(school: School, student: Student, classId: string): void {
  const groups = groupsOfClass(school, classId);
  const whole = groups.find((g) => g.kind === "whole");
  if (!whole) throw new Error(`class ${JSON.stringify(classId)} has no whole-class group`);
  let registration = 0;
  for (const id of whole.members) registration = Math.max(registration, school.students.get(id)?.registrationNumber ?? 0);
  student.classId = classId;
  student.registrationNumber = registration + 1;
  joinGroup(school, student, whole);
  for (const kind of ["english", "language"] as const) {
    const group = smallest(groups.filter((g) => g.kind === kind));
    if (group) joinGroup(school, student, group);
  }
  const pe = groups.find((g) => g.kind === "pe" && g.gender === student.gender);
  if (pe) joinGroup(school, student, pe);
}

/** Takes a student out of every group (of any class). */
export function withdrawFromGroups(school: School, student: Student): void {
  for (const id of student.groupIds) school.groups.get(id)?.members.delete(student.id);
  student.groupIds.clear();
}

function generateTimetable(rng: Rng, school: School, rooms: SpecialRooms): void {
  const subjects = [...school.subjects.values()];
  const english = subjects.find((s) => s.kind === "english")!;
  const pe = subjects.find((s) => s.kind === "pe")!;
  const regular = subjects.filter((s) => s.kind === "regular");
  const core = regular.slice(0, Math.min(8, regular.length));
  const usage = new Map(regular.map((s) => [s.id, 0]));
  const qualified = new Map<string, string[]>();
  for (const t of school.teachers.values()) {
    for (const sid of t.subjectIds) qualified.set(sid, [...(qualified.get(sid) ?? []), t.id]);
  }
  const teacherFor = (subjectId: string, avoid?: string) => {
    const list = qualified.get(subjectId) ?? [...school.teachers.keys()];
    const others = list.filter((t) => t !== avoid);
    return rng.pick(others.length > 0 ? others : list);
  };

  const classes = [...school.classes.values()];
  const grids = new Map(classes.map((c) => [c.id, new Set<string>()]));
  const slot = (day: number, hour: number) => `${day}:${hour}`;
  const freeHours = (day: number, classIds: string[]) =>
    TEACHING_HOURS.filter((h) => classIds.every((id) => !grids.get(id)!.has(slot(day, h))));
  const take = (day: number, hour: number, classIds: string[]) => {
    for (const id of classIds) grids.get(id)!.add(slot(day, hour));
  };
  /** Slots on `count` distinct days, free for all the classes: a split group then meets on several days. */
  const spreadSlots = (count: number, classIds: string[]) => {
    const out: [number, number][] = [];
    for (const day of rng.shuffle(SCHOOL_DAYS)) {
      const hours = freeHours(day, classIds);
      if (hours.length === 0) continue;
      out.push([day, rng.pick(hours)]);
      if (out.length === count) break;
    }
    return out;
  };

  // PE of two parallel classes of a grade is taught together: one atom, two groups.
  const units: SchoolClass[][] = [];
  for (const c of classes) {
    const last = units[units.length - 1];
    if (last && last.length === 1 && last[0]!.grade === c.grade) last.push(c);
    else units.push([c]);
  }
  for (const unit of units) {
    const ids = unit.map((c) => c.id);
    const boysTeacher = teacherFor(pe.id);
    const girlsTeacher = teacherFor(pe.id, boysTeacher);
    const peGroups = (gender: Gender) =>
      unit.map((c) => groupsOfClass(school, c.id).find((g) => g.kind === "pe" && g.gender === gender)!.id);
    for (const [day, hour] of spreadSlots(pe.weeklyHours, ids)) {
      take(day, hour, ids);
      school.atoms.push({
        dayOfWeek: day,
        hourId: hour,
        groupIds: peGroups("M"),
        subjectId: pe.id,
        teacherId: boysTeacher,
        roomId: rooms.gyms[0],
      });
      school.atoms.push({
        dayOfWeek: day,
        hourId: hour,
        groupIds: peGroups("F"),
        subjectId: pe.id,
        teacherId: girlsTeacher,
        roomId: rooms.gyms[1],
      });
    }
    for (const c of unit) scheduleClass(c);
  }

  function scheduleClass(c: SchoolClass): void {
    const groups = groupsOfClass(school, c.id);
    // Split groups: every group of a split meets at the same time, each with a teacher of its own.
    const halves = groups.filter((g) => g.kind === "english");
    const firstEnglishTeacher = teacherFor(english.id);
    const englishSplit = halves.map((group, i) => ({
      group,
      subjectId: english.id,
      teacherId: i === 0 ? firstEnglishTeacher : teacherFor(english.id, firstEnglishTeacher),
      roomId: rooms.languageRooms[i]!,
    }));
    const languageSplit = groups
      .filter((g) => g.kind === "language")
      .map((group, i) => ({
        group,
        subjectId: group.subjectId!,
        teacherId: teacherFor(group.subjectId!),
        roomId: rooms.languageRooms[2 + i]!,
      }));
    for (const split of [englishSplit, languageSplit]) {
      if (split.length === 0) continue;
      const weekly = school.subjects.get(split[0]!.subjectId)!.weeklyHours;
      for (const [day, hour] of spreadSlots(weekly, [c.id])) {
        take(day, hour, [c.id]);
        for (const part of split) {
          school.atoms.push({
            dayOfWeek: day,
            hourId: hour,
            groupIds: [part.group.id],
            subjectId: part.subjectId,
            teacherId: part.teacherId,
            roomId: part.roomId,
          });
        }
      }
    }

    // Whole-class subjects: the core ones, then the least used of the rest, so that every subject is taught somewhere.
    const whole = groups.find((g) => g.kind === "whole")!;
    const wanted = Math.min(regular.length, rng.int(13, 16));
    const rest = rng
      .shuffle(regular.filter((s) => !core.includes(s)))
      .sort((a, b) => usage.get(a.id)! - usage.get(b.id)!)
      .slice(0, Math.max(0, wanted - core.length));
    const chosen = [...core, ...rest];
    for (const s of chosen) usage.set(s.id, usage.get(s.id)! + 1);
    const free = rng.shuffle(SCHOOL_DAYS.flatMap((d) => freeHours(d, [c.id]).map((h) => [d, h] as [number, number])));
    const hours = chosen.map((s) => s.weeklyHours);
    // Half the classes have a lab: one of the two hours of a science subject (or the like) is
    // taught in the English halves, at two times, by the same teacher. Its students then take
    // that subject both in the whole class and in their half: one enrollment, not two.
    const lab = halves.length > 0 && rng.chance(0.5) ? hours.findIndex((h, i) => i >= 4 && h >= 2) : -1;
    const needed = () => hours.reduce((a, b) => a + b, 0) + (lab >= 0 ? halves.length - 1 : 0);
    // Trim the heaviest subjects until the week fits (never below one hour).
    while (needed() > free.length) {
      const i = hours.indexOf(Math.max(...hours));
      if (hours[i]! <= 1) break;
      hours[i]! -= 1;
    }
    chosen.forEach((s, i) => {
      const teacherId = teacherFor(s.id);
      // The last subject of every class is taught in no room: `RoomId: ""`.
      const roomId = i === chosen.length - 1 ? "" : c.homeRoomId;
      const place = (groupIds: string[]) => {
        const cell = free.pop();
        if (!cell) return;
        take(cell[0], cell[1], [c.id]);
        school.atoms.push({ dayOfWeek: cell[0], hourId: cell[1], groupIds, subjectId: s.id, teacherId, roomId });
      };
      const wholeHours = i === lab ? hours[i]! - 1 : hours[i]!;
      for (let n = 0; n < wholeHours; n++) place([whole.id]);
      if (i === lab) for (const half of halves) place([half.id]);
    });
  }

  school.atoms.sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.hourId - b.hourId);
}

// ---------------------------------------------------------------------------
// Derived views

/** The subjects each group is taught, from the timetable. */
export function subjectsOfGroups(school: School): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const atom of school.atoms) {
    for (const gid of atom.groupIds) {
      let set = out.get(gid);
      if (!set) out.set(gid, (set = new Set()));
      set.add(atom.subjectId);
    }
  }
  return out;
}

/** Name as a client shows it: Bakaláři's Name, or the Abbrev when Name is empty. */
const shown = (r: { name: string; abbrev: string }) => r.name || r.abbrev;

/** The true roster, straight from the model (never from the served payloads). */
export function expectedRoster(school: School): ExpectedRoster {
  const studentEnrollments: RosterEnrollment[] = [];
  const seen = new Set<string>();
  const groupSubjects = subjectsOfGroups(school);
  for (const group of school.groups.values()) {
    for (const subjectId of groupSubjects.get(group.id) ?? []) {
      for (const userId of group.members) {
        const key = `${userId}|${subjectId}|${group.classId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        studentEnrollments.push({ userId, subjectId, classId: group.classId });
      }
    }
  }
  const teachingAssignments: RosterEnrollment[] = [];
  seen.clear();
  for (const atom of school.atoms) {
    for (const gid of atom.groupIds) {
      const classId = school.groups.get(gid)!.classId;
      const key = `${atom.teacherId}|${atom.subjectId}|${classId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      teachingAssignments.push({ userId: atom.teacherId, subjectId: atom.subjectId, classId });
    }
  }
  return {
    classes: [...school.classes.values()].map((c) => ({ id: c.id, abbrev: c.abbrev, name: shown(c) })),
    subjects: [...school.subjects.values()].map((s) => ({ id: s.id, abbrev: s.abbrev, name: shown(s) })),
    teachers: [...school.teachers.values()].map((t) => ({ id: t.id, abbrev: t.abbrev, name: shown(t) })),
    students: [...school.students.values()].map((s) => ({ id: s.id, name: shown(s), classId: s.classId })),
    studentEnrollments,
    teachingAssignments,
  };
}

// ---------------------------------------------------------------------------
// Accounts and what each one sees

/**
 * The people behind the accounts, by fixed rules (no draws): the headmaster is the first
 * teacher; the teacher account is the first other teacher who teaches a whole class and a
 * split group (English half, language or PE) in at least two classes, else in one, else
 * anything; the student is the first student with a Name and an Abbrev who is not a
 * whitespace twin.
 */
export function pickAccounts(school: School): AccountPersons {
  const headmasterId = [...school.teachers.keys()][0] ?? "";
  return { headmasterId, teacherId: pickTeacher(school, headmasterId), studentId: pickStudent(school) };
}

/** After a change: a student account whose student left the school gets the next one by the same rule. */
export function refreshAccounts(school: School): void {
  if (!school.students.has(school.accounts.studentId)) school.accounts.studentId = pickStudent(school);
}

function pickTeacher(school: School, headmasterId: string): string {
  const teaching = new Map<string, { whole: boolean; split: boolean; classes: Set<string> }>();
  for (const atom of school.atoms) {
    let t = teaching.get(atom.teacherId);
    if (!t) teaching.set(atom.teacherId, (t = { whole: false, split: false, classes: new Set() }));
    for (const gid of atom.groupIds) {
      const group = school.groups.get(gid)!;
      if (group.kind === "whole") t.whole = true;
      else t.split = true;
      t.classes.add(group.classId);
    }
  }
  const others = [...school.teachers.keys()].filter((id) => id !== headmasterId);
  const tiers: ((t: { whole: boolean; split: boolean; classes: Set<string> }) => boolean)[] = [
    (t) => t.whole && t.split && t.classes.size >= 2,
    (t) => t.whole && t.split,
    (t) => t.classes.size > 0,
  ];
  for (const tier of tiers) {
    const id = others.find((id) => {
      const t = teaching.get(id);
      return t !== undefined && tier(t);
    });
    if (id !== undefined) return id;
  }
  return others[0] ?? headmasterId;
}

function pickStudent(school: School): string {
  const twins: readonly string[] = WHITESPACE_TWINS;
  const students = [...school.students.values()];
  const pick = students.find((s) => s.name !== "" && s.abbrev !== "" && !twins.includes(s.id)) ?? students[0];
  return pick?.id ?? "";
}

export function personOf(school: School, kind: AccountKind): string {
  const { headmasterId, teacherId, studentId } = school.accounts;
  return { management: headmasterId, teacher: teacherId, student: studentId, parent: PARENT_USER_ID }[kind];
}

/** Whose lessons a view shows: the whole school's, one teacher's, or one student's. */
export type Scope = { kind: "school" } | { kind: "teacher"; teacherId: string } | { kind: "student"; studentId: string };

export function scopeKey(scope: Scope): string {
  return scope.kind === "school" ? "school" : scope.kind === "teacher" ? `teacher|${scope.teacherId}` : `student|${scope.studentId}`;
}

/** An account's personal timetable and class book; `classbook` null: the class book is refused. */
export type AccountScopes = { timetable: Scope; classbook: Scope | null };

export function scopesOf(school: School, kind: AccountKind, assumptions: Assumptions): AccountScopes {
  const { headmasterId, teacherId, studentId } = school.accounts;
  const whole: Scope = { kind: "school" };
  const own = (id: string): Scope => ({ kind: "teacher", teacherId: id });
  switch (kind) {
    case "management":
      return {
        timetable: assumptions.managementTimetable === "school" ? whole : own(headmasterId),
        classbook: assumptions.managementClassbook === "school" ? whole : own(headmasterId),
      };
    case "teacher":
      return {
        timetable: assumptions.teacherTimetable === "school" ? whole : own(teacherId),
        classbook: assumptions.teacherClassbook === "school" ? whole : own(teacherId),
      };
    case "student":
    case "parent":
      return { timetable: { kind: "student", studentId }, classbook: null };
  }
}

/**
 * The group ids of an atom that a view shows; none: the view does not show the atom. A
 * student sees only its own groups of a lesson shared with another class.
 */
export function shownGroupIds(school: School, scope: Scope, atom: Atom): string[] {
  switch (scope.kind) {
    case "school":
      return atom.groupIds;
    case "teacher":
      return atom.teacherId === scope.teacherId ? atom.groupIds : [];
    case "student": {
      const groups = school.students.get(scope.studentId)?.groupIds;
      return groups ? atom.groupIds.filter((id) => groups.has(id)) : [];
    }
  }
}

/** A personal timetable from the model: its atoms (with the groups it shows) and the records it lists. */
export type TimetableView = {
  atoms: { atom: Atom; groupIds: string[] }[];
  classes: SchoolClass[];
  groups: Group[];
  subjects: Subject[];
  teachers: Teacher[];
  rooms: Room[];
};

/**
 * The whole school's view lists every record (a subject taught nowhere after `dropHalf`
 * included); a personal one lists only what its atoms name, in the school's order.
 */
export function timetableView(school: School, scope: Scope): TimetableView {
  const atoms: TimetableView["atoms"] = [];
  for (const atom of school.atoms) {
    const groupIds = shownGroupIds(school, scope, atom);
    if (groupIds.length > 0) atoms.push({ atom, groupIds });
  }
  const all = <T>(records: Map<string, T>) => [...records.values()];
  if (scope.kind === "school") {
    return {
      atoms,
      classes: all(school.classes),
      groups: all(school.groups),
      subjects: all(school.subjects),
      teachers: all(school.teachers),
      rooms: all(school.rooms),
    };
  }
  const groupIds = new Set(atoms.flatMap((a) => a.groupIds));
  const groups = all(school.groups).filter((g) => groupIds.has(g.id));
  const classIds = new Set(groups.map((g) => g.classId));
  const named = (pick: (atom: Atom) => string) => new Set(atoms.map((a) => pick(a.atom)));
  const subjectIds = named((a) => a.subjectId);
  const teacherIds = named((a) => a.teacherId);
  const roomIds = named((a) => a.roomId);
  return {
    atoms,
    classes: all(school.classes).filter((c) => classIds.has(c.id)),
    groups,
    subjects: all(school.subjects).filter((s) => subjectIds.has(s.id)),
    teachers: all(school.teachers).filter((t) => teacherIds.has(t.id)),
    rooms: all(school.rooms).filter((r) => roomIds.has(r.id)),
  };
}

/** What an account's own views show, for `/_fake/visible`. */
export function visibleTo(school: School, scopes: AccountScopes): VisibleToAccount {
  const view = timetableView(school, scopes.timetable);
  const classbookGroups = new Set<string>();
  if (scopes.classbook) {
    for (const atom of school.atoms) for (const id of shownGroupIds(school, scopes.classbook, atom)) classbookGroups.add(id);
  }
  const ids = (records: { id: string }[]) => records.map((r) => r.id);
  return {
    timetableClassIds: ids(view.classes),
    timetableGroupIds: ids(view.groups),
    timetableSubjectIds: ids(view.subjects),
    timetableTeacherIds: ids(view.teachers),
    classbookGroupIds: ids([...school.groups.values()].filter((g) => classbookGroups.has(g.id))),
  };
}
