/**
 * Parses hand-written (or hostile) Bakaláři payloads and assembles them as the source
 * does, without I/O: the same parsers, buildCatalog, rosterLessons and assembleRoster,
 * with warnings and dropped records gathered in the source's order (timetable, class
 * book, absence lists, then the assembly's own).
 */
import { accountKind, readsClassbook } from "../../src/bakalari/account";
import { assembleRoster, rosterLessons, type AbsenceResult, type RosterLesson } from "../../src/bakalari/assemble";
import { buildCatalog, type Catalog } from "../../src/bakalari/catalog";
import { BakalariError, type DroppedRecord, type Roster, type RosterWarning } from "../../src/bakalari/roster";
import { parseAbsenceList, parseClassbook, parseTimetable, type Classbook } from "../../src/bakalari/schemas";

export const TIMETABLE_ENDPOINT = "GET /api/3/timetable/permanent";
export const CLASSBOOK_ENDPOINT = "GET /api/3/classbook";

export type Payloads = {
  /** GET /api/3/timetable/permanent. */
  tt: unknown;
  /** GET /api/3/classbook; null when the account was refused it (as a 403 would). */
  cb: unknown;
  /** Absence lists by lesson id; a lesson missing here answers as a 404 would. */
  abs: Record<string, unknown>;
  /** Lesson ids whose absence request failed (after retries), with the reason. */
  failed?: Record<string, string>;
};

export type AssembleOptions = {
  /** The account's UserType; null when GET /api/3/user could not be read. "headmastership" unless given. */
  userType?: string | null;
  window?: { from: string; to: string };
};

export type Prepared = {
  userType: string | null;
  catalog: Catalog;
  classbook: Classbook | null;
  lessons: RosterLesson[];
  absences: Map<string, AbsenceResult>;
  /** Warnings of the payload parsers (the assembly's own come with the roster). */
  parseWarnings: RosterWarning[];
  dropped: DroppedRecord[];
  /** Assembles the roster; throws what assembleRoster throws. */
  build(): Roster;
};

/**
 * Everything the source does before assembleRoster. Parsing errors of the timetable and
 * the class book are thrown (they fail a run); an absence list that is not valid fails
 * only its lesson. A student or parent account does not read the class book.
 */
export function prepareAssembly(p: Payloads, options: AssembleOptions = {}): Prepared {
  const userType = options.userType === undefined ? "headmastership" : options.userType;
  const parseWarnings: RosterWarning[] = [];
  const dropped: DroppedRecord[] = [];

  const t = parseTimetable(JSON.stringify(p.tt), TIMETABLE_ENDPOINT);
  parseWarnings.push(...t.warnings);
  dropped.push(...t.dropped);

  let classbook: Classbook | null = null;
  if (readsClassbook(accountKind(userType)) && p.cb !== null) {
    const c = parseClassbook(JSON.stringify(p.cb), CLASSBOOK_ENDPOINT);
    parseWarnings.push(...c.warnings);
    dropped.push(...c.dropped);
    classbook = c.value;
  }

  const catalog = buildCatalog(t.value, classbook);
  const lessons = rosterLessons(catalog, classbook);
  const absences = new Map<string, AbsenceResult>();
  for (const { lessonId } of lessons) {
    const reason = p.failed?.[lessonId];
    if (reason !== undefined) {
      absences.set(lessonId, { ok: false, reason });
      continue;
    }
    const body = p.abs[lessonId];
    if (body === undefined) {
      absences.set(lessonId, { ok: false, reason: `GET /api/3/lesson/${lessonId}/absence answered HTTP 404` });
      continue;
    }
    try {
      const parsed = parseAbsenceList(JSON.stringify(body), `GET /api/3/lesson/${lessonId}/absence`);
      parseWarnings.push(...parsed.warnings);
      dropped.push(...parsed.dropped);
      absences.set(lessonId, { ok: true, list: parsed.value });
    } catch (e) {
      if (!(e instanceof BakalariError)) throw e;
      absences.set(lessonId, { ok: false, reason: e.message });
    }
  }
  const build = () => assembleRoster({ userType, catalog, classbook, lessons, absences, dropped, window: options.window });
  return { userType, catalog, classbook, lessons, absences, parseWarnings, dropped, build };
}

/** The roster and every warning of the run (parsers' first), as the source returns them. */
export function assemblePayloads(p: Payloads, options: AssembleOptions = {}): { roster: Roster; warnings: RosterWarning[] } {
  const prepared = prepareAssembly(p, options);
  const roster = prepared.build();
  return { roster, warnings: [...prepared.parseWarnings, ...roster.warnings] };
}
