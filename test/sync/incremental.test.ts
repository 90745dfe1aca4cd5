/**
 * Incremental cron ticks: each re-reads the rosters read longest ago (a 1/SYNC_ROSTER_ROTATION
 * share) and reuses the rest from the last reads kept in bakalari_rosters; the public
 * timetable is re-read only when its last read is older than its maximum age. The real
 * source against the fake school, the real engine, a real database.
 */
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { fakeControl } from "../../dev/fake-bakalari/control";
import { rostersToRead } from "../../src/bakalari/roster-store";
import { bakalariSourceFor } from "../../src/bakalari/source";
import { parseConfig, type Bindings } from "../../src/config";
import { runSync, type SyncOutcome, type SyncRequest } from "../../src/sync/engine";
import { useTestDatabase } from "../support/database";
import { rowVersions } from "../support/inspect";
import { expectStatus } from "../support/sync";
import { testBindings } from "../support/worker";

const fake = fakeControl(inject("fakeBakalariUrl"));
const KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(5)));
const TYPES = ["classes", "subjects", "users", "enrollments"] as const;
const zero = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };

describe("which rosters a tick reads (rostersToRead)", () => {
  const at = (minute: number) => ({ readAt: new Date(Date.UTC(2026, 10, 2, 8, minute)) });

  it("reads every group never read, and the share read longest ago", () => {
    const kept = new Map([
      ["a", at(3)],
      ["b", at(1)],
      ["c", at(2)],
      ["d", at(4)],
    ]);
    expect([...rostersToRead(["a", "b", "c", "d", "new"], kept, 4)].sort()).toEqual(["b", "c", "new"]); // ceil(5/4) = 2 oldest
    expect([...rostersToRead(["a", "b", "c", "d"], kept, 1)].sort()).toEqual(["a", "b", "c", "d"]);
    expect([...rostersToRead(["a", "b"], new Map(), 4)].sort()).toEqual(["a", "b"]);
  });

  it("breaks ties by group id, and re-reads everything within `rotation` ticks", () => {
    const ids = Array.from({ length: 10 }, (_, i) => ` ${i}`);
    const kept = new Map(ids.map((id) => [id, at(0)]));
    const seen = new Set<string>();
    for (let tick = 1; tick <= 4; tick++) {
      const read = rostersToRead(ids, kept, 4);
      expect(read.size).toBe(3);
      for (const id of read) {
        seen.add(id);
        kept.set(id, at(tick));
      }
    }
    expect(seen.size).toBe(10);
    expect([...rostersToRead(ids, new Map(ids.map((id) => [id, at(0)])), 4)]).toEqual([" 0", " 1", " 2"]);
  });

  it("keeps a roster that failed in its turn at the front: its read time did not move", () => {
    const kept = new Map([
      ["failed", at(0)],
      ["x", at(5)],
      ["y", at(6)],
    ]);
    expect(rostersToRead(["failed", "x", "y"], kept, 3)).toEqual(new Set(["failed"]));
  });
});

describe("cron ticks against the fake school", () => {
  const t = useTestDatabase();

  beforeEach(async () => {
    await fake.reset({ size: "small", seed: 3 });
  });

  const run = (request: Partial<SyncRequest> = {}, bindings: Partial<Bindings> = {}): Promise<SyncOutcome> => {
    const config = parseConfig(testBindings({ DATABASE_URL: t.url, BAKALARI_TOKEN_KEY: KEY, ...bindings }));
    return runSync({ config, log: () => undefined }, { trigger: "manual", ...request });
  };
  const tick = (bindings: Partial<Bindings> = {}) => run({ trigger: "cron" }, bindings);

  /** Absence lists requested since the last reset. */
  const absenceRequests = async () => (await fake.stats()).requests.byEndpoint["GET /api/3/lesson/:lessonId/absence"] ?? 0;
  const readTimes = async () =>
    new Map(
      (
        await t.database.db.execute<{ g: string; at: string }>(sql`select group_id as g, read_at::text as at from bakalari_rosters`)
      ).rows.map((r) => [r.g, r.at]),
    );

  it("a POST reads every roster; an unchanged tick reads a quarter, reuses the rest and writes nothing", async () => {
    const full = expectStatus(await run(), "ok");
    const groups = full.coverage!.rosters.groups;
    expect(full.coverage!.rosters.groupsRead).toBe(groups);
    expect(full.coverage!.rosters.groupsReused).toBe(0);
    expect((await readTimes()).size).toBe(groups);
    const fullLists = await absenceRequests();

    const before = await rowVersions(t.database);
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
    expect(await rowVersions(t.database)).toBe(before);
  });

  it("re-reads every roster within SYNC_ROSTER_ROTATION ticks, and a pupil who left is gone by then", async () => {
    expectStatus(await run(), "ok");
    const first = await readTimes();
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
      await t.database.db.execute<{ active: boolean }>(sql`
        select u.active from users u join external_refs r on r.type = 'user' and r.internal_id = u.id::text where r.external_id = ${studentIds[0]!}`)
    ).rows;
    expect(row).toEqual({ active: false });
  });

  it("a roster that fails in its turn exempts its class, keeps its old read time, and is re-read first on the next tick", async () => {
    expectStatus(await run(), "ok");
    const first = await readTimes();
    // The first absence list the tick asks for answers 503 every time, retries included.
    let broken: string | null = null;
    const breaking = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(String(input)).pathname;
      if (path.startsWith("/api/3/lesson/")) broken ??= path;
      return path === broken ? new Response("{}", { status: 503 }) : fetch(input, init);
    }) as typeof fetch;
    const config = parseConfig(testBindings({ DATABASE_URL: t.url, BAKALARI_TOKEN_KEY: KEY }));
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

  it("SYNC_ROSTER_ROTATION=1 reads every roster every tick; a POST with incremental: true reads a share", async () => {
    expectStatus(await run(), "ok");
    const every = expectStatus(await tick({ SYNC_ROSTER_ROTATION: "1" }), "ok");
    expect(every.coverage!.rosters.groupsReused).toBe(0);
    const share = expectStatus(await run({ incremental: true }), "ok");
    expect(share.coverage!.rosters.groupsReused).toBeGreaterThan(0);
    const dry = expectStatus(await run({ incremental: true, dryRun: true }), "dry_run");
    expect(dry.coverage!.rosters.groupsReused).toBeGreaterThan(0);
  });

  it("a tick reuses a public timetable read within its maximum age; a POST reads it afresh", async () => {
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
