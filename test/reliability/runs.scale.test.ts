/**
 * 10,000 recorded runs: the runs list pages through all of them, each exactly once and
 * in order; the list and /health read through the index (checked on the plans of the
 * very statements the code sends); and the 90-day retention removes what is older
 * when the next run takes its lease. (The timings are measured in load.node.test.ts.)
 */
import { Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-serverless";
import { describe, expect } from "vitest";
import type { Db } from "../../src/db/client";
import * as schema from "../../src/db/schema";
import { readHealth } from "../../src/sync/health";
import { listRuns, RETENTION_DAYS } from "../../src/sync/run-records";
import { test as it } from "../support/fixtures";
import { makeSchool, rosterOf } from "../support/roster";
import { expectStatus } from "../support/sync";
import { fetchWorker } from "../support/worker";
import { auth, type Json } from "./harness";
import { insertRuns, RUN_COUNT } from "./runs-data";

type PlanNode = { "Node Type": string; "Index Name"?: string; Plans?: PlanNode[] };

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe(`${RUN_COUNT.toLocaleString("en")} recorded runs`, { timeout: 120_000 }, () => {
  it.beforeAll(async ({ db }) => {
    await db.db.execute(insertRuns);
    await db.db.execute(sql`analyze sync_runs`);
  });

  it("pages through all of them with before, each exactly once, newest first", async ({ env, db }) => {
    const order = (
      (await db.db.execute(sql`select id::text as id from sync_runs order by started_at desc, id desc`)).rows as { id: string }[]
    ).map((r) => r.id);
    expect(order).toHaveLength(RUN_COUNT);
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < RUN_COUNT / 100 + 1; page++) {
      const res = await fetchWorker(`/api/sync/runs?limit=100${before ? `&before=${before}` : ""}`, { headers: auth }, env);
      expect(res.status).toBe(200);
      const runs = ((await res.json()) as Json).runs as { runId: string }[];
      if (runs.length === 0) break;
      seen.push(...runs.map((r) => r.runId));
      before = runs.at(-1)!.runId;
    }
    expect(seen).toEqual(order);
  });

  /** Runs fn against a handle that records the statements (and their parameters) drizzle sends. */
  async function captured(url: string, fn: (db: Db) => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
    const statements: { sql: string; params: unknown[] }[] = [];
    // Neon's driver, which createTestDatabase configured for the proxy: the plans are the same whichever sends them.
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      await fn(drizzle(pool, { schema, logger: { logQuery: (query, params) => void statements.push({ sql: query, params }) } }));
    } finally {
      await pool.end();
    }
    return statements;
  }

  async function plan(url: string, statement: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      const result = await pool.query(`explain (format json) ${statement.sql}`, statement.params);
      return nodes((result.rows[0] as { "QUERY PLAN": { Plan: PlanNode }[] })["QUERY PLAN"][0]!.Plan);
    } finally {
      await pool.end();
    }
  }

  it("reads the list, a deep page and /health through the index, without sorting the table", async ({ db, databaseUrl }) => {
    const [deep] = (await db.db.execute(sql`select id::text as id from sync_runs order by started_at desc, id desc offset 9000 limit 1`))
      .rows as { id: string }[];
    const statements = [
      ...(await captured(databaseUrl, (d) => listRuns(d, { limit: 20 }))),
      ...(await captured(databaseUrl, (d) => listRuns(d, { limit: 20, before: deep!.id }))).slice(-1), // the page itself, not the cursor's lookup
      ...(await captured(databaseUrl, (d) => readHealth(d))),
    ];
    expect(statements).toHaveLength(4);
    for (const statement of statements) {
      const planned = await plan(databaseUrl, statement);
      const scans = planned.filter((n) => /Scan/.test(n["Node Type"]) && !n["Index Name"]?.endsWith("_pkey"));
      expect(
        scans.map((n) => `${n["Node Type"]} ${n["Index Name"] ?? ""}`),
        statement.sql,
      ).toEqual([expect.stringMatching(/^Index (Only )?Scan sync_runs_(started_at|status_started_at)_idx$/)]);
      expect(
        planned.map((n) => n["Node Type"]),
        statement.sql,
      ).not.toContain("Sort");
    }
  });

  it(`removes runs older than ${RETENTION_DAYS} days when the next run takes its lease, and keeps the rest`, async ({ db, engine: e }) => {
    const count = async (where: ReturnType<typeof sql>) =>
      Number(((await db.db.execute(sql`select count(*)::int as n from sync_runs where ${where}`)).rows[0] as { n: number }).n);
    const old = await count(sql`started_at < now() - make_interval(days => ${RETENTION_DAYS})`);
    const kept = await count(sql`started_at >= now() - make_interval(days => ${RETENTION_DAYS})`);
    expect(old).toBeGreaterThan(300);
    const run = expectStatus(await e.run(rosterOf(makeSchool())), "ok");
    expect(await count(sql`started_at < now() - make_interval(days => ${RETENTION_DAYS})`)).toBe(0);
    expect(await count(sql`true`)).toBe(kept + 1);
    expect(await count(sql`id = ${run.runId}`)).toBe(1);
  });
});
