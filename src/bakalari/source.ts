/**
 * The Bakaláři source the sync engine calls: reads who the account is, its permanent
 * timetable and (when the account may) the class book, then one absence list per
 * group's lesson, and assembles the Roster. A failed absence list fails only its
 * groups; a failed login or timetable fails the run; a class book the account may not
 * read leaves the rosters unread.
 */
import type { Config } from "../config";
import { accountKind, readsClassbook } from "./account";
import { createApi, type Api } from "./api";
import { assembleRoster, rosterLessons, type AbsenceResult, type RosterLesson } from "./assemble";
import { buildCatalog, PUBLIC_OFF, type Catalog, type PublicInput } from "./catalog";
import { createSession } from "./auth";
import { classbookWindow } from "./classbook-window";
import { createHttpClient, MAX_ABSENCE_LIST_BYTES, type HttpClient, type HttpOptions } from "./http";
import { mapInPool } from "./pool";
import { readPublicView } from "./public-view";
import { createPublicViewStore, type PublicViewStore, type StoredPublicView } from "./public-view-store";
import { createRosterStore, rostersToRead, type KeptRoster, type RosterStore } from "./roster-store";
import { ROSTER_WARNING } from "../codes";
import { BakalariError, type DroppedRecord, type Roster, type RosterWarning } from "./roster";
import { parseAbsenceList, parseClassbook, parseTimetable, parseUser, type Account, type Classbook } from "./schemas";
import type { Db } from "../db/client";
import { createTokenCache, type TokenCache } from "./token-cache";

export const USER_PATH = "/api/3/user";
export const TIMETABLE_PATH = "/api/3/timetable/permanent";
export const CLASSBOOK_PATH = "/api/3/classbook";
/** "/" is encoded; an id "." or ".." is never requested (the HTTP client refuses such paths: pathWouldChange). */
export const absencePath = (lessonId: string) => `/api/3/lesson/${encodeURIComponent(lessonId)}/absence`;

export type BakalariSourceOptions = {
  config: Pick<Config, "bakalariUrl" | "bakalariUsername" | "bakalariPassword">;
  /** Keeps the token pair between runs; null when BAKALARI_TOKEN_KEY is unset (a warning says so). */
  tokenCache: TokenCache | null;
  /**
   * The school's public timetable: read when the mode is auto, with the last whole read kept
   * in the store for the runs that cannot read it. Absent: not read (as `off`).
   */
  publicTimetable?: { mode: Config["publicTimetable"]; store: PublicViewStore | null; maxAgeHours?: number };
  /** The rosters last read, for incremental reads: re-read a rotating share (1 in `rotation`), reuse the rest. */
  rosters?: { store: RosterStore; rotation: number };
  fetch?: typeof fetch;
  now?: () => Date;
  /** Timeouts, retries, backoff and concurrency; defaults in DEFAULT_HTTP_OPTIONS. */
  http?: Partial<HttpOptions>;
};

/**
 * A full read (the default) reads every roster and the public timetable. An incremental one
 * (cron ticks) re-reads only the rosters read longest ago and the public timetable only when
 * its last read is older than its maximum age, and reuses the rest.
 */
export type ReadOptions = { incremental?: boolean };

export type BakalariSource = {
  /** Reads a validated snapshot; throws BakalariError on failure. */
  read(options?: ReadOptions): Promise<Roster>;
  /** HTTP requests made so far, retries and logins included (also after a failure). */
  requests(): number;
};

export function createBakalariSource(options: BakalariSourceOptions): BakalariSource {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const http = createHttpClient(config.bakalariUrl, options.fetch, options.http);

  async function read(readOptions: ReadOptions = {}): Promise<Roster> {
    const incremental = readOptions.incremental ?? false;
    const warnings: RosterWarning[] = [];
    const warn = (w: RosterWarning) => warnings.push(w);
    // The rosters kept from earlier runs, for an incremental read: loaded from Postgres while
    // Bakaláři answers. load() never throws (a store it cannot read is an empty one, warned
    // of), and the read waits for it even when Bakaláři fails, so that no query is left running.
    const kept = incremental && options.rosters ? options.rosters.store.load(warn) : null;
    try {
      return await readViews(incremental, kept, warnings, warn);
    } finally {
      await kept;
    }
  }

  async function readViews(
    incremental: boolean,
    kept: Promise<Map<string, KeptRoster>> | null,
    warnings: RosterWarning[],
    warn: (w: RosterWarning) => void,
  ): Promise<Roster> {
    const dropped: DroppedRecord[] = [];
    const cache = options.tokenCache;
    if (!cache) {
      warn({
        code: ROSTER_WARNING.tokenNotCached,
        message: "The Bakaláři token pair is not cached because BAKALARI_TOKEN_KEY is unset; every run logs in with the password",
      });
    }
    const session = createSession({ http, username: config.bakalariUsername, password: config.bakalariPassword, cache, now, warn });
    const api = createApi(http, session);

    // Who the account is decides what it may read; one request, and the type (never the name)
    // is recorded. The public timetable needs no sign-in and is read alongside.
    const window = classbookWindow(now());
    const accountViews = async () => {
      const account = await readAccount(api, warn);
      const classbook = readsClassbook(accountKind(account.userType)) ? await readClassbook(api, window, warn, dropped) : null;
      return { account, classbook };
    };
    // The timetable is parsed as soon as it is in, so its body (a large school's is 2.6 MB of
    // heap) is gone before the class book's (12 MB) is parsed; a failure to parse it still
    // counts only once every view is in, as if it were parsed then.
    const [{ account, classbook }, timetableParsed, publicTimetable] = await Promise.all([
      accountViews(),
      api.get(TIMETABLE_PATH).then((body) => settled(() => parseTimetable(body, `GET ${TIMETABLE_PATH}`))),
      readPublic(http, options.publicTimetable, incremental, now, warn),
    ]);
    const timetable = timetableParsed();
    warnings.push(...timetable.warnings);
    dropped.push(...timetable.dropped);

    // Every lesson at once: the HTTP client keeps at most six in flight. A breaker stops
    // asking once Bakaláři keeps failing, and a deadline bounds the whole read, so a run
    // against a dying server ends well inside its lease instead of retrying ~800 lists.
    const catalog = buildCatalog(timetable.value, classbook, publicTimetable.view);
    const { lessons, reused } = await chooseRosters(
      catalog,
      classbook,
      kept && options.rosters ? { kept, rotation: options.rosters.rotation } : null,
    );
    const breaker = rosterBreaker(now().getTime() + ROSTER_READ_BUDGET_MS, now);
    // Pulled by as many workers as requests may be in flight, so the breaker is asked
    // right before each request starts, not when the list is queued.
    // Login trouble is not one group's problem: readAbsenceList throws it, and it fails the run.
    const read = await mapInPool(lessons, http.concurrency, (l) => breaker.run(() => readAbsenceList(api, l.lessonId)));
    const absences = new Map<string, AbsenceResult>();
    for (const [i, outcome] of read.entries()) {
      absences.set(lessons[i]!.lessonId, outcome.result);
      warnings.push(...outcome.warnings);
      dropped.push(...outcome.dropped);
    }

    const roster = assembleRoster({ ...account, catalog, classbook, lessons, absences, dropped, window, publicTimetable, reused });
    await options.rosters?.store.save(freshRosters(roster, absences, lessons, now()), warn);
    return { ...roster, warnings: [...warnings, ...roster.warnings] };
  }

  return { read, requests: () => http.requests() };
}

/** What fn returns, or throws, when the result is asked for. */
function settled<T>(fn: () => T): () => T {
  try {
    const value = fn();
    return () => value;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * The source as a run uses it: the token pair kept in the run's database when
 * BAKALARI_TOKEN_KEY is set, and the public timetable's last whole read kept there too.
 */
export function bakalariSourceFor(
  config: Pick<
    Config,
    | "bakalariUrl"
    | "bakalariUsername"
    | "bakalariPassword"
    | "tokenKey"
    | "publicTimetable"
    | "rosterRotation"
    | "publicTimetableMaxAgeHours"
  >,
  db: Db,
  options: Omit<BakalariSourceOptions, "config" | "tokenCache" | "publicTimetable"> = {},
): BakalariSource {
  const tokenCache = config.tokenKey
    ? createTokenCache({ db, key: config.tokenKey, baseUrl: config.bakalariUrl, username: config.bakalariUsername })
    : null;
  const publicTimetable = {
    mode: config.publicTimetable,
    store: createPublicViewStore(db, config.bakalariUrl),
    maxAgeHours: config.publicTimetableMaxAgeHours,
  };
  const rosters = { store: createRosterStore(db, config.bakalariUrl), rotation: config.rosterRotation };
  return createBakalariSource({ config, tokenCache, publicTimetable, rosters, ...options });
}

/**
 * The lessons to read and the rosters to reuse. A full read reads every group's lesson. An
 * incremental one reads the lessons of the groups rostersToRead() picks (a lesson of
 * several groups refreshes them all) and reuses the kept roster of every other group that
 * has a lesson in the window; a group without one is exempt as on a full read, and in the
 * holidays nothing is reused.
 */
async function chooseRosters(
  catalog: Catalog,
  classbook: Classbook | null,
  rosters: { kept: Promise<Map<string, KeptRoster>>; rotation: number } | null,
): Promise<{ lessons: RosterLesson[]; reused: Map<string, KeptRoster> }> {
  const lessons = rosterLessons(catalog, classbook);
  const reused = new Map<string, KeptRoster>();
  if (!rosters || lessons.length === 0) return { lessons, reused };
  const kept = await rosters.kept;
  const toRead = rostersToRead(
    catalog.groups.map((g) => g.id),
    kept,
    rosters.rotation,
  );
  const read = new Set(lessons.filter((l) => l.groupIds.some((id) => toRead.has(id))));
  for (const l of lessons) {
    if (read.has(l)) continue;
    for (const id of l.groupIds) {
      const k = kept.get(id);
      if (k) reused.set(id, k);
    }
  }
  return { lessons: [...read], reused };
}

/** The rosters read in this run, to keep for the next incremental ones. */
function freshRosters(roster: Roster, absences: ReadonlyMap<string, AbsenceResult>, lessons: RosterLesson[], readAt: Date): KeptRoster[] {
  const lessonOf = new Map<string, string>();
  for (const l of lessons) for (const id of l.groupIds) lessonOf.set(id, l.lessonId);
  const out: KeptRoster[] = [];
  for (const g of roster.groups) {
    if (g.roster.status !== "read" || g.roster.reusedFrom !== undefined) continue;
    const result = absences.get(lessonOf.get(g.id) ?? "");
    const entry = result?.ok ? result.list.groups.find((a) => a.groupId === g.id) : undefined;
    if (entry) out.push({ groupId: g.id, classId: g.classId, members: entry.students, readAt });
  }
  return out;
}

/**
 * The public timetable for this run: read whole now (and kept), or, when it cannot be,
 * the last whole read, so that nothing it showed is taken as gone.
 */
async function readPublic(
  http: HttpClient,
  options: BakalariSourceOptions["publicTimetable"],
  incremental: boolean,
  now: () => Date,
  warn: (w: RosterWarning) => void,
): Promise<PublicInput> {
  if (!options || options.mode === "off") return PUBLIC_OFF;
  // The last whole read, loaded at most once: a cron tick reuses it while younger than the
  // maximum age (the teachers' pages are not asked for every 15 minutes), and any run falls
  // back on it when the public timetable cannot be read.
  let kept: Promise<StoredPublicView | null> | undefined;
  const lastRead = () => (kept ??= options.store ? options.store.load(warn) : Promise.resolve(null));
  if (incremental && options.maxAgeHours !== undefined) {
    const last = await lastRead();
    if (last && now().getTime() - last.readAt.getTime() < options.maxAgeHours * 3_600_000) {
      return { status: "read", view: last.view, readAt: last.readAt.toISOString() };
    }
  }
  const read = await readPublicView(http);
  if (read.ok) {
    const readAt = now();
    if (read.unresolvedLabels > 0) {
      warn({
        code: ROSTER_WARNING.publicTimetableUnavailable,
        message: `${read.unresolvedLabels} public timetable lessons name a group of no listed class; the teaching of ${read.view.partialTeachers.length} teacher(s) is kept as it is`,
      });
    }
    await options.store?.save(read.view, readAt, warn);
    return { status: "read", view: read.view, readAt: readAt.toISOString() };
  }
  const last = await lastRead();
  warn({
    code: ROSTER_WARNING.publicTimetableUnavailable,
    message:
      `The public timetable could not be read (${read.reason}); nothing it showed before is deactivated` +
      (last ? `, and its read of ${last.readAt.toISOString()} stands in for it` : ", and the account's own view is used"),
  });
  return { status: "unavailable", view: last?.view ?? null, readAt: last?.readAt.toISOString() ?? null };
}

/** The rosters are given up after this long (the lease lasts 10 minutes). */
export const ROSTER_READ_BUDGET_MS = 4 * 60 * 1000;
/** After this many absence lists failed in a row (each after its retries), the rest are not requested. */
export const ROSTER_FAILURES_IN_A_ROW = 6;

type AbsenceRead = { result: AbsenceResult; warnings: RosterWarning[]; dropped: DroppedRecord[] };

function rosterBreaker(deadline: number, now: () => Date) {
  let failuresInARow = 0;
  return {
    async run(read: () => Promise<AbsenceRead>): Promise<AbsenceRead> {
      if (failuresInARow >= ROSTER_FAILURES_IN_A_ROW) {
        return {
          result: { ok: false, reason: `not requested: ${ROSTER_FAILURES_IN_A_ROW} absence lists failed in a row` },
          warnings: [],
          dropped: [],
        };
      }
      if (now().getTime() > deadline) {
        return {
          result: { ok: false, reason: `not requested: the rosters took over ${ROSTER_READ_BUDGET_MS / 60000} minutes` },
          warnings: [],
          dropped: [],
        };
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
    const parsed = parseAbsenceList(await api.get(path, { maxBytes: MAX_ABSENCE_LIST_BYTES }), `GET ${path}`);
    return { result: { ok: true, list: parsed.value }, warnings: parsed.warnings, dropped: parsed.dropped };
  } catch (e) {
    // Login trouble fails the run; a list refused to this account fails only its groups.
    if (e instanceof BakalariError && (e.code !== "BAKALARI_AUTH" || e.refusedResource)) {
      return { result: { ok: false, reason: e.message }, warnings: [], dropped: [] };
    }
    throw e;
  }
}

/**
 * Who the account is, or nulls when that cannot be had: the run then goes on, but takes
 * nothing the account does not show as gone (a warning says why).
 */
async function readAccount(api: Api, warn: (w: RosterWarning) => void): Promise<Account> {
  try {
    return parseUser(await api.get(USER_PATH), `GET ${USER_PATH}`);
  } catch (e) {
    if (!(e instanceof BakalariError) || e.code === "BAKALARI_AUTH") throw e;
    warn({
      code: ROSTER_WARNING.accountScope,
      message: `The account's type could not be read (${e.message}); nothing the account does not show is deactivated`,
    });
    return { userType: null, personId: null };
  }
}

/**
 * The class book of the window. A class book refused to a signed-in account (401 after a
 * fresh token, or 403) says what the account may see, not that its password is wrong: the
 * rosters are left unread and a warning says so. Other failures fail the run.
 */
async function readClassbook(
  api: Api,
  window: { from: string; to: string },
  warn: (w: RosterWarning) => void,
  dropped: DroppedRecord[],
): Promise<Classbook | null> {
  let body: string;
  try {
    body = await api.get(`${CLASSBOOK_PATH}?${new URLSearchParams(window)}`);
  } catch (e) {
    if (!(e instanceof BakalariError) || e.code !== "BAKALARI_AUTH" || !e.refusedResource) throw e;
    warn({
      code: ROSTER_WARNING.accountScope,
      message: `${e.message}: this account may not read the class book, so no roster was read and students and their enrollments are left as they are; sign in with a teacher's or the school management's account`,
    });
    return null;
  }
  const classbook = parseClassbook(body, `GET ${CLASSBOOK_PATH}`);
  for (const w of classbook.warnings) warn(w);
  dropped.push(...classbook.dropped);
  return classbook.value;
}
