/**
 * Generates the fake school from (seed, size): subjects, teachers, rooms, classes with
 * their groups and students, the permanent timetable, and the people behind the accounts.
 *
 * Same parameters, same school: every draw comes from the seed's PRNG streams in a
 * fixed order, the accounts' people are picked by fixed rules, and nothing depends on
 * the clock or on Map ordering of external input.
 */
import { pickAccounts } from "./accounts";
import { allocateCode, allocateOtherUserId, allocateUserId, LETTERS } from "./ids";
import {
  PARENT_USER_ID,
  WHITESPACE_TWINS,
  type Gender,
  type Group,
  type GroupKind,
  type School,
  type SchoolClass,
  type SchoolParams,
  type Subject,
  type Teacher,
} from "./model";
import { LANGUAGES, personName, REGULAR_SUBJECTS, TEACHER_TITLES } from "./names";
import { createRng, type Rng } from "./random";
import { createStudent, enrolInClass } from "./students";
import { generateTimetable, type SpecialRooms } from "./timetable-generation";

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
