/**
 * Incremental cron ticks: each re-reads the rosters read longest ago (a 1/SYNC_ROSTER_ROTATION
 * share) and reuses the rest from the last reads kept in bakalari_rosters; the public
 * timetable is re-read only when its last read is older than its maximum age. The real
 * source against the fake school, the real engine, a real database.
 */
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect } from "vitest";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { parseConfig, type Bindings } from "../../src/config";
import { runSync, type SyncOutcome, type SyncRequest } from "../../src/sync/engine";
import { freshTest } from "../support/fixtures";
import { rowVersions } from "../support/inspect";
import { expectStatus } from "../support/sync";
import { fake, TOKEN_KEY } from "../reliability/harness";

const TYPES = ["classes", "subjects", "users", "enrollments"] as const;
const zero = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };

type Run = (request?: Partial<SyncRequest>, bindings?: Partial<Bindings>) => Promise<SyncOutcome>;

const it = freshTest
  .extend("bindings", { BAKALARI_TOKEN_KEY: TOKEN_KEY })
  /** The real engine and source, with these bindings over the test's. */
  .extend(
    "run",
    ({ env }): Run =>
      (request = {}, bindings = {}) => {
        const config = parseConfig({ ...env, ...bindings });
        return runSync({ config, log: () => undefined }, { trigger: "manual", ...request });
      },
  )
  .extend(
    "tick",
    ({ run }) =>
      (bindings: Partial<Bindings> = {}) =>
        run({ trigger: "cron" }, bindings),
  )
  /** When each group's roster was last read, as bakalari_rosters keeps it. */
  .extend(
    "readTimes",
    ({ db }) =>
      async () =>
        new Map(
          (await db.db.execute<{ g: string; at: string }>(sql`select group_id as g, read_at::text as at from bakalari_rosters`)).rows.map(
            (r) => [r.g, r.at],
          ),
        ),
  )
  /** A POST that reads every roster; then when each was read. */
  .extend("readAll", ({ run, readTimes }) => async () => {
    expectStatus(await run(), "ok");
    return readTimes();
  });

/** Absence lists requested since the last reset. */
const absenceRequests = async () => (await fake.stats()).requests.byEndpoint["GET /api/3/lesson/:lessonId/absence"] ?? 0;

describe("cron ticks against the fake school", () => {
  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 3 });
  });

  it("a POST reads every roster; an unchanged tick reads a quarter, reuses the rest and writes nothing", async ({
    db,
    run,
    tick,
    readTimes,
  }) => {
    const full = expectStatus(await run(), "ok");
    const groups = full.coverage!.rosters.groups;
    expect(full.coverage!.rosters.groupsRead).toBe(groups);
    expect(full.coverage!.rosters.groupsReused).toBe(0);
    expect((await readTimes()).size).toBe(groups);
    const fullLists = await absenceRequests();

    const before = await rowVersions(db);
    const listsBefore = await absenceRequests();
    const o = expectStatus(await tick(), "ok");
    const lists = (await absenceRequests()) - listsBefore;
    expect(lists).toBeGreaterThan(0);
    expect(lists).toBeLessThanOrEqual(Math.ceil(fullLists / 4) + 2); // a lesson of two groups may bring a second one along
    const r = o.coverage!.rosters;
    expect(r.groupsRead + r.groupsReused).toBe(groups);
    expect(r.groupsReused).toBeGreaterThan(0);
    expect(r.oldestReusedAt).not.toBeNull();
    expect(r.classesRead).toBe(full.coverage!.rosters.classesRead);
    for (const type of TYPES) expect(o.counts[type], type).toMatchObject(zero);
    expect(await rowVersions(db)).toBe(before);
  });

  it("re-reads every roster within SYNC_ROSTER_ROTATION ticks, and a pupil who left is gone by then", async ({
    db,
    tick,
    readTimes,
    readAll,
  }) => {
    const first = await readAll();
    const { studentIds } = await fake.change({ op: "dropStudents", count: 1 });
    let deactivatedAt = 0;
    for (let n = 1; n <= 4; n++) {
      const o = expectStatus(await tick(), "ok");
      if (o.counts.users.deactivated > 0) {
        expect(o.counts.users.deactivated).toBe(1);
        deactivatedAt ||= n;
      }
    }
    expect(deactivatedAt).toBeGreaterThan(0);
    const after = await readTimes();
    for (const [group, at] of first) expect(after.get(group), group).not.toBe(at);
    const [row] = (
      await db.db.execute<{ active: boolean }>(sql`
        select u.active from users u join external_refs r on r.type = 'user' and r.internal_id = u.id::text where r.external_id = ${studentIds[0]!}`)
    ).rows;
    expect(row).toEqual({ active: false });
  });

  it("a roster that fails in its turn exempts its class, keeps its old read time, and is re-read first on the next tick", async ({
    env,
    tick,
    readTimes,
    readAll,
  }) => {
    const first = await readAll();
    // The first absence list the tick asks for answers 503 every time, retries included.
    let broken: string | null = null;
    const breaking = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(String(input)).pathname;
      if (path.startsWith("/api/3/lesson/")) broken ??= path;
      return path === broken ? new Response("{}", { status: 503 }) : fetch(input, init);
    }) as typeof fetch;
    const config = parseConfig(env);
    const failing = expectStatus(
      await runSync(
        {
          config,
          log: () => undefined,
          source: (db) => bakalariSourceFor(config, db, { fetch: breaking, http: { baseDelayMs: 1, maxDelayMs: 5 } }),
        },
        { trigger: "cron" },
      ),
      "ok",
    );
    const failed = failing.warnings.filter((w) => w.code === "BAKALARI_GROUP_ROSTER_FAILED").map((w) => w.externalId!);
    expect(failed.length).toBeGreaterThan(0);
    expect(failing.coverage!.rosters.exempt.some((e) => e.reason === "request_failed")).toBe(true);
    for (const type of TYPES) expect(failing.counts[type].deactivated, type).toBe(0);
    const afterFailing = await readTimes();
    for (const g of failed) expect(afterFailing.get(g), g).toBe(first.get(g));

    const next = expectStatus(await tick(), "ok");
    const afterNext = await readTimes();
    for (const g of failed) expect(afterNext.get(g), g).not.toBe(first.get(g));
    expect(next.coverage!.rosters.exempt).toEqual([]);
  });

  it("SYNC_ROSTER_ROTATION=1 reads every roster every tick; a POST with incremental: true reads a share", async ({ run, tick }) => {
    expectStatus(await run(), "ok");
    const every = expectStatus(await tick({ SYNC_ROSTER_ROTATION: "1" }), "ok");
    expect(every.coverage!.rosters.groupsReused).toBe(0);
    const share = expectStatus(await run({ incremental: true }), "ok");
    expect(share.coverage!.rosters.groupsReused).toBeGreaterThan(0);
    const dry = expectStatus(await run({ incremental: true, dryRun: true }), "dry_run");
    expect(dry.coverage!.rosters.groupsReused).toBeGreaterThan(0);
  });

  it("a tick reuses a public timetable read within its maximum age; a POST reads it afresh", async ({ run, tick }) => {
    const publicOn = { BAKALARI_PUBLIC_TIMETABLE: "auto" };
    const pages = async () =>
      Object.entries((await fake.stats()).requests.byEndpoint)
        .filter(([k]) => k.includes("/Timetable/Public"))
        .reduce((n, [, v]) => n + v, 0);
    expectStatus(await run({}, publicOn), "ok");
    const afterPost = await pages();
    expect(afterPost).toBeGreaterThan(1);
    const reused = expectStatus(await tick(publicOn), "ok");
    expect(await pages()).toBe(afterPost);
    expect(reused.coverage!.catalog.publicTimetable).toBe("read");
    for (const type of TYPES) expect(reused.counts[type], type).toMatchObject(zero);
    // Past its maximum age (0 hours here), a tick reads it again.
    expectStatus(await tick({ ...publicOn, SYNC_PUBLIC_TIMETABLE_MAX_AGE_HOURS: "0" }), "ok");
    expect(await pages()).toBeGreaterThan(afterPost);
  });
});
