/**
 * The Bakaláři source the sync engine calls: reads the permanent timetable and the
 * class book, then one absence list per group's lesson, and assembles the Roster.
 * A failed absence list fails only its groups; a failed login, timetable or class
 * book fails the run.
 */
import type { Config } from "../config";
import type { Db } from "../db/client";
import { createApi, type Api } from "./api";
import { assembleRoster, rosterLessons, type AbsenceResult } from "./assemble";
import { createSession } from "./auth";
import { classbookWindow } from "./classbook-window";
import { createHttpClient, type HttpOptions } from "./http";
import { BakalariError, ROSTER_WARNING, type Roster, type RosterWarning } from "./roster";
import { parseAbsenceList, parseClassbook, parseTimetable } from "./schemas";
import { createTokenCache } from "./token-cache";

export const TIMETABLE_PATH = "/api/3/timetable/permanent";
export const CLASSBOOK_PATH = "/api/3/classbook";
export const absencePath = (lessonId: string) => `/api/3/lesson/${encodeURIComponent(lessonId)}/absence`;

export type BakalariSourceOptions = {
  config: Pick<Config, "bakalariUrl" | "bakalariUsername" | "bakalariPassword" | "tokenKey">;
  /** For the token cache (bakalari_sessions). */
  db: Db;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Timeouts, retries, backoff and concurrency; defaults in DEFAULT_HTTP_OPTIONS. */
  http?: Partial<HttpOptions>;
};

export type BakalariSource = {
  /** Reads a validated snapshot; throws BakalariError on failure. */
  read(): Promise<Roster>;
  /** HTTP requests made so far, retries and logins included (also after a failure). */
  requests(): number;
};

export function createBakalariSource(options: BakalariSourceOptions): BakalariSource {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const http = createHttpClient(config.bakalariUrl, options.fetch, options.http);

  async function read(): Promise<Roster> {
    const warnings: RosterWarning[] = [];
    const warn = (w: RosterWarning) => warnings.push(w);
    const cache = config.tokenKey
      ? createTokenCache({ db: options.db, key: config.tokenKey, baseUrl: config.bakalariUrl, username: config.bakalariUsername, warn })
      : null;
    if (!cache) {
      warn({
        code: ROSTER_WARNING.tokenNotCached,
        message: "The Bakaláři token pair is not cached because BAKALARI_TOKEN_KEY is unset; every run logs in with the password",
      });
    }
    const session = createSession({ http, username: config.bakalariUsername, password: config.bakalariPassword, cache, now });
    const api = createApi(http, session);

    const window = classbookWindow(now());
    const [timetableBody, classbookBody] = await Promise.all([
      api.get(TIMETABLE_PATH),
      api.get(`${CLASSBOOK_PATH}?${new URLSearchParams(window)}`),
    ]);
    const timetable = parseTimetable(timetableBody, `GET ${TIMETABLE_PATH}`);
    const classbook = parseClassbook(classbookBody, `GET ${CLASSBOOK_PATH}`);
    warnings.push(...timetable.warnings, ...classbook.warnings);

    // Every lesson at once: the HTTP client keeps at most six in flight. A breaker stops
    // asking once Bakaláři keeps failing, and a deadline bounds the whole read, so a run
    // against a dying server ends well inside its lease instead of retrying ~800 lists.
    const lessons = rosterLessons(timetable.value, classbook.value);
    const breaker = rosterBreaker(now().getTime() + ROSTER_READ_BUDGET_MS, now);
    // Pulled by as many workers as requests may be in flight, so the breaker is asked
    // right before each request starts, not when the list is queued.
    // Login trouble is not one group's problem: readAbsenceList throws it, and it fails the run.
    const read = await mapInPool(lessons, http.concurrency, (l) => breaker.run(() => readAbsenceList(api, l.lessonId)));
    const absences = new Map<string, AbsenceResult>();
    for (const [i, outcome] of read.entries()) {
      absences.set(lessons[i]!.lessonId, outcome.result);
      warnings.push(...outcome.warnings);
    }

    const roster = assembleRoster({ timetable: timetable.value, classbook: classbook.value, absences, window });
    return { ...roster, warnings: [...warnings, ...roster.warnings] };
  }

  return { read, requests: () => http.requests() };
}

/**
 * Maps items with at most `workers` calls at a time. The first call that throws stops
 * new calls from starting; once those in flight have finished, its error is thrown.
 */
async function mapInPool<T, R>(items: T[], workers: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}

/** The rosters are given up after this long (the lease lasts 10 minutes). */
export const ROSTER_READ_BUDGET_MS = 4 * 60 * 1000;
/** After this many absence lists failed in a row (each after its retries), the rest are not requested. */
export const ROSTER_FAILURES_IN_A_ROW = 6;

type AbsenceRead = { result: AbsenceResult; warnings: RosterWarning[] };

function rosterBreaker(deadline: number, now: () => Date) {
  let failuresInARow = 0;
  return {
    async run(read: () => Promise<AbsenceRead>): Promise<AbsenceRead> {
      if (failuresInARow >= ROSTER_FAILURES_IN_A_ROW) {
        return { result: { ok: false, reason: `not requested: ${ROSTER_FAILURES_IN_A_ROW} absence lists failed in a row` }, warnings: [] };
      }
      if (now().getTime() > deadline) {
        return { result: { ok: false, reason: `not requested: the rosters took over ${ROSTER_READ_BUDGET_MS / 60000} minutes` }, warnings: [] };
      }
      const outcome = await read();
      failuresInARow = outcome.result.ok ? 0 : failuresInARow + 1;
      return outcome;
    },
  };
}

async function readAbsenceList(api: Api, lessonId: string): Promise<AbsenceRead> {
  const path = absencePath(lessonId);
  try {
    const parsed = parseAbsenceList(await api.get(path), `GET ${path}`);
    return { result: { ok: true, list: parsed.value }, warnings: parsed.warnings };
  } catch (e) {
    if (e instanceof BakalariError && e.code !== "BAKALARI_AUTH") return { result: { ok: false, reason: e.message }, warnings: [] };
    throw e;
  }
}
