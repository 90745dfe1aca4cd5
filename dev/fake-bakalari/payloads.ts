/**
 * The Bakaláři API v3 payloads, in the shapes of the community documentation
 * (github.com/bakalari-api/bakalari-api-v3), computed from the school model for the
 * account that asks: its personal timetable, its class book, its user record.
 *
 * Every payload carries fields a client must ignore, on the root and on records, and the
 * quirks real answers have (see README.md, "What is documented and what is assumed").
 * Serialized payloads are cached per school and version: the benchmark asks for the
 * same timetable and class book many times, and a change bumps the version.
 */
import type { Account } from "./auth";
import { dayKind, mondayOfWeek, pragueToday, weekday } from "./calendar";
import {
  absencePayload,
  classbookPayload,
  lessonIndex,
  parseLessonId,
  studentAbsence,
  weekTemplates,
  type LessonTemplate,
} from "./classbook-payloads";
import type { Atom, Group, School } from "./model";
import { buildActual, buildPermanent, repeatedAtoms } from "./timetable-payloads";
import { userRecord } from "./user-payload";
import { scopeKey, shownGroupIds, timetableView, type Scope } from "./views";

/** What a student or parent gets for the class book and absence lists (an assumption: see README.md). */
export const FORBIDDEN = { Message: "The account has no right to read the class book." };

type VersionCache = {
  school: School;
  version: number;
  /** Permanent and actual timetables by kind, scope and week. */
  timetables: Map<string, string>;
  week?: Map<number, LessonTemplate[]>;
  lessons?: Map<string, LessonTemplate>;
  repeated?: Set<Atom>;
  rosters: Map<string, unknown[]>;
  classbooks: Map<string, string>;
  expected?: string;
};

export type Answer = { status: 200 | 403 | 404; body: string };

/** Keeps a cache map from growing without bound: the views and windows asked for are few, each can be megabytes. */
function remember(map: Map<string, string>, key: string, limit: number, compute: () => string): string {
  let body = map.get(key);
  if (body === undefined) {
    body = compute();
    if (map.size >= limit) map.clear();
    map.set(key, body);
  }
  return body;
}

export class SchoolPayloads {
  private cache: VersionCache | null = null;

  private current(school: School): VersionCache {
    if (!this.cache || this.cache.school !== school || this.cache.version !== school.version) {
      this.cache = { school, version: school.version, timetables: new Map(), rosters: new Map(), classbooks: new Map() };
    }
    return this.cache;
  }

  /** Any value computed once per school version (the `/_fake/expected` body, for one). */
  expected(school: School, compute: () => string): string {
    const cache = this.current(school);
    return (cache.expected ??= compute());
  }

  /** The permanent timetable of a view, its days dated in the week of `today`. */
  timetable(school: School, scope: Scope, today = pragueToday()): string {
    const monday = mondayOfWeek(today);
    return remember(this.current(school).timetables, `permanent|${scopeKey(scope)}|${monday}`, 16, () =>
      JSON.stringify(buildPermanent(school, timetableView(school, scope), monday, this.repeated(school))),
    );
  }

  /** The actual timetable of a view for the week of `day`. */
  actual(school: School, scope: Scope, day: number): string {
    const monday = mondayOfWeek(day);
    return remember(this.current(school).timetables, `actual|${scopeKey(scope)}|${monday}`, 16, () =>
      JSON.stringify(buildActual(school, timetableView(school, scope), monday, this.repeated(school))),
    );
  }

  classbook(school: School, scope: Scope, from: number, to: number): string {
    // A run or a benchmark asks for one window again and again; a large school's is about 5 MB.
    return remember(this.current(school).classbooks, `${scopeKey(scope)}|${from}|${to}`, 4, () =>
      JSON.stringify(classbookPayload(school, this.week(school), scope, from, to)),
    );
  }

  /**
   * The absence list of a lesson: 404 when there is no such lesson, 403 when the account's
   * class book does not show it (or the account has no class book: `scope` null).
   */
  absence(school: School, scope: Scope | null, id: string): Answer {
    if (!scope) return { status: 403, body: JSON.stringify(FORBIDDEN) };
    const parsed = parseLessonId(id);
    const lesson =
      parsed && dayKind(parsed.dayNumber, school.holidays).type === "WorkDay"
        ? this.lessons(school).get(`${weekday(parsed.dayNumber)}|${parsed.hourId}|${parsed.serial}`)
        : undefined;
    if (!parsed || !lesson) return { status: 404, body: JSON.stringify({ Message: "The lesson was not found." }) };
    if (shownGroupIds(school, scope, lesson.atom).length === 0) return { status: 403, body: JSON.stringify(FORBIDDEN) };
    const roster = (group: Group) => this.roster(school, group, parsed.dayNumber);
    return { status: 200, body: JSON.stringify(absencePayload(school, id, lesson.atom, roster)) };
  }

  user(school: School, account: Account): string {
    return JSON.stringify(userRecord(school, account));
  }

  private roster(school: School, group: Group, dayNumber: number): unknown[] {
    const cache = this.current(school);
    const key = `${group.id}|${dayNumber}`;
    let list = cache.rosters.get(key);
    if (!list) {
      list = [...group.members].map((sid) => studentAbsence(school.students.get(sid)!, dayNumber));
      cache.rosters.set(key, list);
    }
    return list;
  }

  private repeated(school: School): Set<Atom> {
    const cache = this.current(school);
    return (cache.repeated ??= repeatedAtoms(school));
  }

  private week(school: School): Map<number, LessonTemplate[]> {
    const cache = this.current(school);
    return (cache.week ??= weekTemplates(school));
  }

  private lessons(school: School): Map<string, LessonTemplate> {
    const cache = this.current(school);
    return (cache.lessons ??= lessonIndex(this.week(school)));
  }
}
