/**
 * Load against `wrangler dev` from this process: a bounded burst (500 requests to
 * /health and 500 to the runs list, 10 in flight) must complete without an error; then,
 * with 10,000 runs recorded, the runs list (first and deep page), a run's detail, /health
 * and the dashboard are timed, and the next run's retention is checked. The figures are
 * reported (test-artifacts/reliability/load.json, and the README), never asserted: a
 * shared CI machine's timings say nothing about the code.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../src/db/client";
import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import * as schema from "../../src/db/schema";
import { readHealth } from "../../src/sync/health";
import { listRuns, RETENTION_DAYS } from "../../src/sync/run-records";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";
import { burst, machine, nodeDatabase, writeFigures, type Burst } from "./node-harness";
import { workerVars } from "../support/worker-vars";
import { useFakeSchool } from "../fake-bakalari/support";
import { createNodeTestDatabase } from "../support/node-database";
import { insertRuns, RUN_COUNT } from "./runs-data";

export const LOAD = { requests: 500, concurrency: 10, timed: 100 };

const TOKEN = `load-${randomBytes(24).toString("hex")}`;
type Json = Record<string, any>;

describe("load against wrangler dev", { timeout: 300_000 }, () => {
  const { fake: school } = useFakeSchool({ size: "small", seed: 23 }, { resetEach: false });
  let worker: DevWorker;
  let db: Database;
  let databaseUrl: string;
  const figures: Record<string, unknown> = { machine: machine() };

  beforeAll(async () => {
    const url = (databaseUrl = await createNodeTestDatabase("rel"));
    db = nodeDatabase(url, inject("wsProxy"));
    const at = { databaseUrl: url, wsProxy: inject("wsProxy"), bakalariUrl: school.url };
    // The public timetable as wrangler.toml has it, as in production.
    worker = await startWorker({ vars: workerVars(at, { OPERATOR_TOKEN: TOKEN, BAKALARI_PUBLIC_TIMETABLE: "auto" }) });
    const first = await post();
    expect(first.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    writeFigures("load", figures);
    await worker?.stop();
    await db?.end();
  }, 60_000);

  const auth = { authorization: `Bearer ${TOKEN}` };
  const get = (path: string, headers: Record<string, string> = auth) => fetch(`${worker.url}${path}`, { headers });
  async function post() {
    const res = await fetch(`${worker.url}/api/sync/bakalari`, { method: "POST", headers: auth });
    return { status: res.status, body: (await res.json()) as Json };
  }
  const json = (expectStatus: number, shape: (body: Json) => boolean) => (res: Response, body: string) => {
    if (res.status !== expectStatus) return `HTTP ${res.status}: ${body.slice(0, 200)}`;
    try {
      return shape(JSON.parse(body) as Json) ? null : `unexpected body: ${body.slice(0, 200)}`;
    } catch {
      return `not JSON: ${body.slice(0, 200)}`;
    }
  };
  const healthOk = json(200, (b) => b.status === "ok");
  const listOk = json(200, (b) => b.success === true && Array.isArray(b.runs));
  const expectClean = (b: Burst) => {
    expect(b.errors, b.errors.slice(0, 5).join("\n")).toEqual([]);
    expect(Object.values(b.statuses).reduce((a, n) => a + n, 0)).toBe(b.requests);
  };

  it(`answers a burst of ${LOAD.requests} GET /health and ${LOAD.requests} GET /api/sync/runs, ${LOAD.concurrency} at a time, without an error`, async () => {
    const health = await burst(LOAD.requests, LOAD.concurrency, () => get("/health", {}), healthOk);
    const runs = await burst(LOAD.requests, LOAD.concurrency, () => get("/api/sync/runs"), listOk);
    figures.burst = { health, runs };
    expectClean(health);
    expectClean(runs);
  });

  /** Sequential requests, one at a time: the latency of one operator's clicks. */
  const timed = (path: string, check: (res: Response, body: string) => string | null, headers?: Record<string, string>) =>
    burst(LOAD.timed, 1, () => get(path, headers), check);

  it(`keeps the runs list, a run, /health and the dashboard answering with ${RUN_COUNT.toLocaleString("en")} runs recorded`, async () => {
    const [one] = (await db.db.execute(sql`select id::text as id from sync_runs limit 1`)).rows as { id: string }[];
    const small = { runs: await timed("/api/sync/runs", listOk) };

    await db.db.execute(insertRuns);
    await db.db.execute(sql`analyze sync_runs`);
    const total = Number(((await db.db.execute(sql`select count(*)::int as n from sync_runs`)).rows[0] as { n: number }).n);
    expect(total).toBe(RUN_COUNT + 1);
    const [deep] = (await db.db.execute(sql`select id::text as id from sync_runs order by started_at desc, id desc offset 9000 limit 1`))
      .rows as { id: string }[];

    const large = {
      runsFirstPage: await timed(
        "/api/sync/runs?limit=20",
        json(200, (b) => b.runs.length === 20),
      ),
      runsPage100: await timed(
        "/api/sync/runs?limit=100",
        json(200, (b) => b.runs.length === 100),
      ),
      runsDeepPage: await timed(
        `/api/sync/runs?limit=20&before=${deep!.id}`,
        json(200, (b) => b.runs.length === 20),
      ),
      runDetail: await timed(
        `/api/sync/runs/${one!.id}`,
        json(200, (b) => b.run.runId === one!.id),
      ),
      health: await timed("/health", healthOk, {}),
      dashboard: await timed(
        "/",
        (res, body) => (res.status === 200 && body.includes("<!DOCTYPE html>") ? null : `HTTP ${res.status}`),
        {},
      ),
    };
    figures.scale = { runs: total, before: { recorded: 1, runsList: small.runs }, after: large, postgres: await explainAnalyze(deep!.id) };
    for (const b of [small.runs, ...Object.values(large)]) expectClean(b);
  });

  /** Postgres's own time and rows read for the very statements the list and /health send (reported only). */
  async function explainAnalyze(deepId: string) {
    const statements: { name: string; sql: string; params: unknown[] }[] = [];
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    let name = "";
    const capturing = drizzle(pool, {
      schema,
      logger: { logQuery: (query, params) => void statements.push({ name, sql: query, params }) },
    });
    try {
      name = "runsFirstPage";
      await listRuns(capturing, { limit: 20 });
      name = "runsDeepPage";
      await listRuns(capturing, { limit: 20, before: deepId });
      name = "health";
      await readHealth(capturing);
      const out: Record<string, { executionMs: number; plan: string }[]> = {};
      for (const s of statements) {
        const result = await pool.query(`explain (analyze, format json) ${s.sql}`, s.params);
        const [explained] = (result.rows[0] as { "QUERY PLAN": { Plan: Json; "Execution Time": number }[] })["QUERY PLAN"];
        const top = (plan: Json): string =>
          `${plan["Node Type"]}${plan["Index Name"] ? ` ${plan["Index Name"]}` : ""} (${plan["Actual Rows"]} rows)${plan.Plans ? ` < ${plan.Plans.map(top).join(", ")}` : ""}`;
        (out[s.name] ??= []).push({ executionMs: explained!["Execution Time"], plan: top(explained!.Plan) });
      }
      return out;
    } finally {
      await pool.end();
    }
  }

  it(`removes the runs older than ${RETENTION_DAYS} days when the next run takes its lease`, async () => {
    const count = async (where: ReturnType<typeof sql>) =>
      Number(((await db.db.execute(sql`select count(*)::int as n from sync_runs where ${where}`)).rows[0] as { n: number }).n);
    const old = await count(sql`started_at < now() - make_interval(days => ${RETENTION_DAYS})`);
    const all = await count(sql`true`);
    expect(old).toBeGreaterThan(0);
    const run = await post();
    expect(run.status).toBe(200);
    expect(await count(sql`started_at < now() - make_interval(days => ${RETENTION_DAYS})`)).toBe(0);
    expect(await count(sql`true`)).toBe(all - old + 1);
    const normal = await post(); // the same run with nothing left to remove, for comparison
    expect(normal.status).toBe(200);
    figures.retention = {
      runsBefore: all,
      removed: old,
      runsAfter: all - old + 1,
      runWithRetentionMs: run.body.durationMs,
      nextRunMs: normal.body.durationMs,
    };
  });
});
