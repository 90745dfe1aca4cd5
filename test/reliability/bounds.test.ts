/**
 * A hostile feed, through the Worker's own fetch against the fake school: each answer of
 * the fake passes through a fetch wrapper (the global fetch, which the source calls) that
 * can rewrite it on its way in.
 *
 * - 60,000 invalid teacher records: the run answers and records at most 200 warnings in
 *   full plus the count of every one by code, its record stays under 64 KB, the list of
 *   20 such runs under 1 MB, and its log events small;
 * - answers past the byte limits: 502 BAKALARI_PAYLOAD, nothing written, and nothing past
 *   the limit ever handed to JSON.parse;
 * - a lesson id ".." and a public teacher id "..": never requested, so never a request
 *   outside their paths.
 */
import { LISTED_WARNINGS } from "../../src/sync/run-records";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import { MAX_ABSENCE_LIST_BYTES, MAX_ANSWER_BYTES } from "../../src/bakalari/http";
import type { Database } from "../../src/db/client";
import { MAX_KEPT_ISSUES } from "../../src/sync/issues";
import { connect, createTestDatabase } from "../support/database";
import { refIntegrity, rowVersions } from "../support/inspect";
import { testBindings } from "../support/worker";
import { expectConverged, expectRecordedFailure, fake, getJson, postSync, TOKEN_KEY, workerTest as it, type Json } from "./harness";

const KB = 1024;
const utf8 = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)).length;

/** How a test rewrites the fake's answers: given the path, the real answer; returns the one to hand on. */
type Rewrite = (path: string, res: Response) => Response | Promise<Response>;

/** A body that never ends: spaces, as long as anyone reads. */
function endlessBody(): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(" ".repeat(64 * KB));
  return new ReadableStream({ pull: (controller) => controller.enqueue(chunk) });
}

const asJson = async (res: Response, edit: (body: Json) => void): Promise<Response> => {
  const body = (await res.json()) as Json;
  edit(body);
  return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
};

describe("a hostile feed stays bounded", { timeout: 120_000 }, () => {
  let rewrite: Rewrite | null = null;
  /** Every URL the Worker asked for, as it asked. */
  const requested: string[] = [];
  /** The longest text JSON.parse was given during a test. */
  let longestParsed = 0;

  beforeAll(async () => {
    await fake.reset({ size: "small", seed: 17 });
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      requested.push(url);
      const res = await realFetch(input, init);
      const path = new URL(url).pathname;
      return rewrite && !path.startsWith("/_fake/") ? rewrite(path, res) : res;
    });
    const realParse = JSON.parse;
    vi.spyOn(JSON, "parse").mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === "string") longestParsed = Math.max(longestParsed, text.length);
      return realParse(text, reviver);
    });
  });
  it.beforeAll(async ({ env }) => {
    expect((await postSync(env)).status).toBe(200);
  });
  it.afterEach(async ({ logs }) => {
    rewrite = null;
    requested.length = 0;
    logs.length = 0;
    longestParsed = 0;
    await fake.clearFaults();
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });

  const rowSize = async (db: Database, runId: string) =>
    (
      await db.db.execute(
        sql`select octet_length(row_to_json(r)::text) as text_bytes, pg_column_size(r.*) as stored_bytes from sync_runs r where id = ${runId}`,
      )
    ).rows[0] as {
      text_bytes: number;
      stored_bytes: number;
    };

  it("60,000 invalid teacher records: at most 200 warnings kept, counts of all, a record under 64 KB, a list of 20 under 1 MB", async ({
    env,
    db,
    logs,
  }) => {
    // Each id as long as an id may be (128), in two-byte letters and a bidi override, so each warning is as large as one can be.
    const teacherId = (i: number) => `${"Ř".repeat(118)}\u202e${String(i).padStart(5, "0")}`.slice(0, 128);
    rewrite = (path, res) =>
      path === "/api/3/timetable/permanent"
        ? asJson(res, (body) => {
            for (let i = 0; i < 60_000; i++) body.Teachers.push({ Id: teacherId(i), Abbrev: 7, Name: null });
          })
        : res;
    const answer = await postSync(env);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    const { warnings, warningCount, warningCounts } = answer.body;
    expect(warningCounts.BAKALARI_RECORD_INVALID).toBe(60_000);
    expect(warningCount).toBe(Object.values(warningCounts as Record<string, number>).reduce((a, b) => a + b, 0));
    // As many as fit the byte budget: ids this long leave room for about 60 (short ones for all 200).
    expect(warnings.length).toBeGreaterThanOrEqual(50);
    expect(warnings.length).toBeLessThanOrEqual(MAX_KEPT_ISSUES);
    expect(warnings[0]).toMatchObject({ code: "BAKALARI_RECORD_INVALID", externalId: teacherId(0) }); // ids kept byte for byte
    expect(utf8(answer.body)).toBeLessThan(64 * KB);
    // Nothing of the school moved: the bad records are dropped, the good ones unchanged.
    for (const c of Object.values(answer.body.counts) as Json[]) expect(c.created + c.updated + c.deactivated + c.reactivated).toBe(0);

    // GET /api/sync/runs/:id carries the same bounded list and counts.
    const one = await getJson(env, `/api/sync/runs/${answer.body.runId}`);
    expect(one.headers.get("cache-control")).toBe("no-store");
    expect(one.body.run).toMatchObject({ warnings, warningCount, warningCounts, errorCount: 0, errorCounts: {} });
    const size = await rowSize(db, answer.body.runId);
    expect(size.text_bytes).toBeLessThan(64 * KB);
    expect(size.stored_bytes).toBeLessThan(64 * KB);

    // Its log events stay small too: counts by code, never the warnings.
    const ok = logs.find((e) => e.message === "sync_ok" && e.runId === answer.body.runId)!;
    expect(ok).toMatchObject({ warningCount, warningCounts });
    expect(utf8(ok)).toBeLessThan(4 * KB);
    for (const e of logs) expect(utf8(e)).toBeLessThan(8 * KB);

    // A dry run of the same feed records as much, and twenty such runs list in under 1 MB.
    const dry = await postSync(env, { dryRun: true });
    expect(dry.body).toMatchObject({ status: "dry_run", warningCount });
    expect((await rowSize(db, dry.body.runId)).text_bytes).toBeLessThan(64 * KB);
    await db.db.execute(sql`
      insert into sync_runs (id, trigger, status, operator, request_id, dry_run, started_at, completed_at, duration_ms, counts, coverage, warnings, errors, bakalari_requests, statements)
      select gen_random_uuid(), trigger, status, operator, request_id, dry_run, started_at - make_interval(secs => n / 1000.0), completed_at - make_interval(secs => n / 1000.0),
             duration_ms, counts, coverage, warnings, errors, bakalari_requests, statements
        from sync_runs, generate_series(1, 9) n
       where id in (${answer.body.runId}, ${dry.body.runId})`);
    const list = await getJson(env, "/api/sync/runs?limit=20");
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("no-store");
    expect(list.body.runs).toHaveLength(20);
    expect(utf8(list.body)).toBeLessThan(1024 * KB);
    for (const run of list.body.runs as Json[]) {
      // The contract's SyncRun, its warnings cut to a preview: the run's own record has the kept list.
      expect(run.warnings.length).toBeLessThanOrEqual(LISTED_WARNINGS);
      expect(run.warnings[0]).toMatchObject({ code: "BAKALARI_RECORD_INVALID" });
      expect(run.warningCount).toBeGreaterThan(60_000 - 1);
      expect(run.warningCounts.BAKALARI_RECORD_INVALID).toBe(60_000);
    }
  });

  it.for([
    ["the timetable", "/api/3/timetable/permanent"],
    ["the class book", "/api/3/classbook"],
  ])("%s answering without end: 502 BAKALARI_PAYLOAD at 32 MB, nothing parsed, nothing written", async ([_name, endpoint], { env, db }) => {
    const before = await rowVersions(db);
    rewrite = (path, res) =>
      path === endpoint ? new Response(endlessBody(), { status: 200, headers: { "content-type": "application/json" } }) : res;
    const answer = await postSync(env);
    expect(answer.status).toBe(502);
    const row = await expectRecordedFailure(env, db, answer, "BAKALARI_PAYLOAD");
    expect(row.errors[0]).toMatchObject({ endpoint, message: expect.stringContaining(`more than ${MAX_ANSWER_BYTES / (1024 * 1024)} MB`) });
    expect(longestParsed).toBeLessThan(MAX_ANSWER_BYTES);
    expect(await rowVersions(db)).toBe(before);
    expect(await refIntegrity(db)).toEqual({ dangling: 0, unreferenced: 0, duplicated: 0 });
    // Asked once: an answer too large is not retried.
    expect(requested.filter((u) => new URL(u).pathname === endpoint)).toHaveLength(1);
  });

  it("one absence list past 4 MB fails only its group: its class exempt, nothing deactivated", async ({ env, db }) => {
    const before = await rowVersions(db);
    let oversized: string | null = null;
    rewrite = (path, res) => {
      if (!path.startsWith("/api/3/lesson/") || (oversized !== null && oversized !== path)) return res;
      oversized = path;
      return new Response(endlessBody(), { status: 200 });
    };
    const answer = await postSync(env);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    expect(answer.body.warnings).toContainEqual(
      expect.objectContaining({
        code: "BAKALARI_GROUP_ROSTER_FAILED",
        message: expect.stringContaining(`more than ${MAX_ABSENCE_LIST_BYTES / (1024 * 1024)} MB`),
      }),
    );
    expect(answer.body.coverage.rosters.exempt).toContainEqual(expect.objectContaining({ reason: "request_failed" }));
    expect(longestParsed).toBeLessThan(MAX_ABSENCE_LIST_BYTES);
    expect(await rowVersions(db)).toBe(before);
    await expectConverged(db);
  });

  /** Every request stayed on a path of a known endpoint (the fake counts them by route). */
  async function expectKnownPathsOnly(): Promise<void> {
    const known =
      /^(POST \/api\/login|GET \/api\/3\/(user|timetable\/permanent|classbook|lesson\/:lessonId\/absence)|GET \/Timetable\/Public(\/Permanent\/Teacher\/:id)?)$/;
    const stats = await fake.stats();
    for (const endpoint of Object.keys(stats.requests.byEndpoint)) expect(endpoint).toMatch(known);
    for (const url of requested) {
      const path = new URL(url).pathname;
      expect(path).toMatch(
        /^\/(api\/login|api\/3\/(user|timetable\/permanent|classbook|lesson\/[^/]+\/absence)|Timetable\/Public(\/Permanent\/Teacher\/[^/]+)?|_fake\/.*)$/,
      );
      expect(path).not.toMatch(/\/\.\.?(\/|$)/);
    }
  }

  it('a lesson id ".." is never requested: no request leaves its path, and only its class is exempt', async ({ env, db }) => {
    await fake.reset({ size: "small", seed: 17 }); // counters from zero; the same school
    let group: string | null = null;
    rewrite = (path, res) =>
      path === "/api/3/classbook"
        ? asJson(res, (body) => {
            // Every lesson of one group gets the id "..", so the lesson read for that group is "..".
            for (const day of body.Days) {
              for (const hour of day.Hours) {
                group ??= hour.Groups[0].Id;
                if (hour.Groups.some((g: Json) => g.Id === group)) hour.LessonId = "..";
              }
            }
          })
        : res;
    const answer = await postSync(env);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    expect(answer.body.warnings).toContainEqual(
      expect.objectContaining({ code: "BAKALARI_GROUP_ROSTER_FAILED", message: expect.stringContaining("was not requested") }),
    );
    expect(answer.body.coverage.rosters.exempt).toContainEqual(expect.objectContaining({ reason: "request_failed" }));
    await expectKnownPathsOnly();
    expect(requested.some((u) => u.includes("/lesson/../") || u.includes("/api/3/absence"))).toBe(false);
    await expectConverged(db);
  });

  it('a public timetable teacher id ".." is never requested: the public timetable is unavailable, nothing deactivated', async () => {
    // A database of its own: the public timetable names teachers its own way, a change of its own.
    const url = await createTestDatabase();
    const own = connect(url);
    const auto = testBindings({ DATABASE_URL: url, BAKALARI_TOKEN_KEY: TOKEN_KEY, BAKALARI_PUBLIC_TIMETABLE: "auto" });
    expect((await postSync(auto)).status).toBe(200); // a whole read first, kept for the runs that cannot read it
    requested.length = 0;
    await fake.reset({ size: "small", seed: 17 });
    const before = await rowVersions(own);
    rewrite = async (path, res) => {
      if (path !== "/Timetable/Public") return res;
      const html = (await res.text()).replace(/(<select id="selectedTeacher"[^>]*>)/, '$1\n    <option value="..">Evil Teacher</option>');
      return new Response(html, { status: res.status, headers: res.headers });
    };
    const answer = await postSync(auto);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    expect(answer.body.coverage.catalog.publicTimetable).toBe("unavailable");
    expect(answer.body.warnings).toContainEqual(
      expect.objectContaining({ code: "BAKALARI_PUBLIC_TIMETABLE_UNAVAILABLE", message: expect.stringContaining("was not requested") }),
    );
    await expectKnownPathsOnly();
    expect(
      requested.some((u) => new URL(u).pathname.startsWith("/Timetable/Public/Permanent/Teacher/") === false && u.includes("/Permanent")),
    ).toBe(false);
    expect(await rowVersions(own)).toBe(before);
    await own.end();
  });
});
