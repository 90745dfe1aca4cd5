import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { parseConfig } from "../../src/config";
import { DRIVER } from "../support/driver";
import { test as it } from "../support/fixtures";
import { fetchWorker } from "../support/worker";
import { auth, fake } from "../reliability/harness";

describe("GET /health", () => {
  it("says never on an empty database", async ({ env }) => {
    const res = await fetchWorker("/health", undefined, env);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ status: "never", lastSuccessAt: null, lastRunStatus: null, rosterCoverage: null });
  });

  it("says how many classes' rosters the last successful run read, in counts only", async ({ env }) => {
    await fake.reset({ size: "small", seed: 1 });
    const sync = await fetchWorker("/api/sync/bakalari", { method: "POST", headers: auth }, env);
    expect(sync.status).toBe(200);
    const run = (await sync.json()) as { coverage: { rosters: { classes: number; classesRead: number } } };
    const res = await fetchWorker("/health", undefined, env);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe("ok");
    expect(body.rosterCoverage).toEqual({ classes: run.coverage.rosters.classes, classesRead: run.coverage.rosters.classesRead });
    expect(run.coverage.rosters.classes).toBeGreaterThan(0);
  });

  it("reads through the project's driver inside workerd, the Worker and the test alike", async ({ db, env }) => {
    const rows = await db.db.execute<{ version: string }>(sql`select version() as version`);
    expect(rows.rows[0]?.version).toMatch(/^PostgreSQL \d+/);
    expect(db.statements()).toBe(1);
    // The workers-hyperdrive project hands the Worker a HYPERDRIVE binding and no DATABASE_URL to fall back on.
    const config = parseConfig(env);
    expect({ hyperdrive: config.hyperdrive !== null, databaseUrl: config.databaseUrl !== null }).toEqual(
      DRIVER === "hyperdrive" ? { hyperdrive: true, databaseUrl: false } : { hyperdrive: false, databaseUrl: true },
    );
  });
});
