/**
 * Test helpers for the fake Bakaláři school: a server per test file, plain HTTP calls,
 * and a reference reader that assembles the roster from the served payloads only, the
 * way a correct client would, so that tests can hold it against `/_fake/expected`.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { fakeControl, type ExpectedRoster, type FakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari, type FakeBakalari, type FakeBakalariOptions } from "../../dev/fake-bakalari/server";

export const USERNAME = "sync-service";
export const PASSWORD = "test-password";
/** The school's accounts by kind; all share PASSWORD. */
export const ACCOUNTS = { management: USERNAME, teacher: "ucitel", student: "zak", parent: "rodic" } as const;
/** Two full school weeks without a public holiday (Monday 5 January to Friday 16 January 2026). */
export const QUIET_WINDOW = { from: "2026-01-05T00:00:00.000", to: "2026-01-16T00:00:00.000" };

export type Served = { status: number; headers: Headers; text: string };

export async function startSchool(options: FakeBakalariOptions = {}): Promise<{ fake: FakeBakalari; control: FakeControl }> {
  const fake = await startFakeBakalari({ port: 0, ...options });
  return { fake, control: fakeControl(fake.url) };
}

/**
 * A fake school of the file's own: started before its tests, closed after them, and reset
 * before each test unless `resetEach` is false. `fake` and `control` stand for the server and
 * its control client once it runs: read them inside tests and hooks, not at a file's top level.
 */
export function useFakeSchool(
  options: FakeBakalariOptions = {},
  { resetEach = true } = {},
): { fake: Pick<FakeBakalari, "url" | "port">; control: FakeControl } {
  let started: { fake: FakeBakalari; control: FakeControl } | undefined;
  const running = () => {
    if (!started) throw new Error("the fake school starts in beforeAll: use it inside a test or a hook");
    return started;
  };
  beforeAll(async () => {
    started = await startSchool(options);
  });
  if (resetEach) beforeEach(async () => void (await running().control.reset()));
  afterAll(async () => started?.fake.close());
  return {
    fake: {
      get url() {
        return running().fake.url;
      },
      get port() {
        return running().fake.port;
      },
    },
    control: new Proxy({} as FakeControl, { get: (_, name) => running().control[name as keyof FakeControl] }),
  };
}

export async function postLogin(
  baseUrl: string,
  form: Record<string, string>,
  contentType = "application/x-www-form-urlencoded",
): Promise<Served> {
  const response = await fetch(`${baseUrl}/api/login`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: contentType.startsWith("application/json") ? JSON.stringify(form) : new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export type TokenPair = { access_token: string; refresh_token: string; expires_in: number } & Record<string, unknown>;

export async function passwordLogin(baseUrl: string, username = USERNAME, password = PASSWORD): Promise<TokenPair> {
  const answer = await postLogin(baseUrl, { client_id: "ANDR", grant_type: "password", username, password });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as TokenPair;
}

/** An access token of one of the school's accounts. */
export async function tokenOf(baseUrl: string, username: string): Promise<string> {
  return (await passwordLogin(baseUrl, username)).access_token;
}

export async function get(baseUrl: string, path: string, token?: string): Promise<Served> {
  const response = await fetch(`${baseUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** GET that must answer 200 with JSON. */
export async function getJson<T = any>(baseUrl: string, path: string, token: string): Promise<T> {
  const answer = await get(baseUrl, path, token);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

export const classbookPath = (window: { from: string; to: string }) =>
  `/api/3/classbook?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`;

/** The first lesson of every group in the window: group id → LessonId. */
export function firstLessonPerGroup(classbook: any): Map<string, string> {
  const out = new Map<string, string>();
  for (const day of classbook.Days) {
    for (const hour of day.Hours) for (const group of hour.Groups) if (!out.has(group.Id)) out.set(group.Id, hour.LessonId);
  }
  return out;
}

const shown = (r: { Name: string; Abbrev: string }) => r.Name || r.Abbrev;

/**
 * The roster as the served payloads state it: the permanent timetable, the class book of
 * the window, and one absence list per group (six requests at a time).
 */
export async function readServedRoster(baseUrl: string, token: string, window = QUIET_WINDOW): Promise<ExpectedRoster> {
  const timetable = await getJson(baseUrl, "/api/3/timetable/permanent", token);
  const classOfGroup = new Map<string, string>(timetable.Groups.map((g: any) => [g.Id, g.ClassId]));
  const subjectsOfGroup = new Map<string, Set<string>>();
  const teaching = new Map<string, { userId: string; subjectId: string; classId: string }>();
  for (const day of timetable.Days) {
    for (const atom of day.Atoms) {
      for (const gid of atom.GroupIds as string[]) {
        if (!subjectsOfGroup.has(gid)) subjectsOfGroup.set(gid, new Set());
        subjectsOfGroup.get(gid)!.add(atom.SubjectId);
        const classId = classOfGroup.get(gid)!;
        teaching.set(JSON.stringify([atom.TeacherId, atom.SubjectId, classId]), {
          userId: atom.TeacherId,
          subjectId: atom.SubjectId,
          classId,
        });
      }
    }
  }

  const lessons = [...new Set(firstLessonPerGroup(await getJson(baseUrl, classbookPath(window), token)).values())];
  const members = new Map<string, { name: string; groups: { groupId: string; classId: string }[] }>();
  for (let i = 0; i < lessons.length; i += 6) {
    const absences = await Promise.all(
      lessons.slice(i, i + 6).map((id) => getJson(baseUrl, `/api/3/lesson/${encodeURIComponent(id)}/absence`, token)),
    );
    for (const absence of absences) {
      for (const entry of absence.AbsencesGroups) {
        for (const { Student } of entry.StudentsAbsences) {
          const record = members.get(Student.Id) ?? { name: shown(Student), groups: [] };
          record.groups.push({ groupId: entry.Group.Id, classId: entry.Group.ClassId });
          members.set(Student.Id, record);
        }
      }
    }
  }

  const students = [...members].map(([id, record]) => {
    // The home class holds most of a student's groups (four against one for a second class).
    const perClass = new Map<string, number>();
    for (const g of record.groups) perClass.set(g.classId, (perClass.get(g.classId) ?? 0) + 1);
    const classId = [...perClass].sort((a, b) => b[1] - a[1])[0]![0];
    return { id, name: record.name, classId };
  });
  const enrollments = new Map<string, { userId: string; subjectId: string; classId: string }>();
  for (const [id, record] of members) {
    for (const g of record.groups) {
      for (const subjectId of subjectsOfGroup.get(g.groupId) ?? []) {
        enrollments.set(JSON.stringify([id, subjectId, g.classId]), { userId: id, subjectId, classId: g.classId });
      }
    }
  }
  return {
    classes: timetable.Classes.map((c: any) => ({ id: c.Id, abbrev: c.Abbrev, name: shown(c) })),
    subjects: timetable.Subjects.map((s: any) => ({ id: s.Id, abbrev: s.Abbrev, name: shown(s) })),
    teachers: timetable.Teachers.map((t: any) => ({ id: t.Id, abbrev: t.Abbrev, name: shown(t) })),
    students,
    studentEnrollments: [...enrollments.values()],
    teachingAssignments: [...teaching.values()],
  };
}

/** Every atom of a timetable, with its day. */
export function atomsOf(timetable: any): any[] {
  return timetable.Days.flatMap((day: any) => day.Atoms.map((atom: any) => ({ ...atom, DayOfWeek: day.DayOfWeek })));
}

/** The distinct ids of a timetable's list ("Classes", "Groups", …), in order. */
export const idsOf = (timetable: any, list: string): string[] => [...new Set<string>(timetable[list].map((r: any) => r.Id))];

/** A lesson as "weekday|hour|sorted group ids", the same for a timetable atom and a class book hour. */
export const lessonKey = (dayOfWeek: number, hourId: number, groupIds: string[]) =>
  `${dayOfWeek}|${hourId}|${[...new Set(groupIds)].sort().join(",")}`;

/** The lessons of a class book as lesson keys (see lessonKey). */
export function classbookLessonKeys(classbook: any): Set<string> {
  return new Set(
    classbook.Days.flatMap((day: any) =>
      day.Hours.map((h: any) =>
        lessonKey(
          day.DayOfWeek,
          h.HourId,
          h.Groups.map((g: any) => g.Id),
        ),
      ),
    ),
  );
}

/** A roster as sorted JSON lines per list, so that comparisons ignore order but nothing else. */
export function canonical(roster: ExpectedRoster): Record<keyof ExpectedRoster, string[]> {
  const lines = (items: object[]) =>
    items.map((item) => JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))).sort();
  return {
    classes: lines(roster.classes),
    subjects: lines(roster.subjects),
    teachers: lines(roster.teachers),
    students: lines(roster.students),
    studentEnrollments: lines(roster.studentEnrollments),
    teachingAssignments: lines(roster.teachingAssignments),
  };
}

/** Keys of a list's items, for set comparisons. */
export const keysOf = <T>(items: T[], key: (item: T) => string) => new Set(items.map(key));
