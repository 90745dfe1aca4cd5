import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { fakeControl } from "../../dev/fake-bakalari/control";
import { connect, createTestDatabase } from "../support/database";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";

describe("GET /health", () => {
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  it("says never on an empty database", async () => {
    const res = await fetchWorker("/health", undefined, testBindings({ DATABASE_URL: databaseUrl }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ status: "never", lastSuccessAt: null, lastRunStatus: null, rosterCoverage: null });
  });

  it("says how many classes' rosters the last successful run read, in counts only", async () => {
    await fakeControl(inject("fakeBakalariUrl")).reset({ size: "small", seed: 1 });
    const env = testBindings({ DATABASE_URL: databaseUrl });
    const sync = await fetchWorker("/api/sync/bakalari", { method: "POST", headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } }, env);
    expect(sync.status).toBe(200);
    const run = (await sync.json()) as { coverage: { rosters: { classes: number; classesRead: number } } };
    const res = await fetchWorker("/health", undefined, env);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe("ok");
    expect(body.rosterCoverage).toEqual({ classes: run.coverage.rosters.classes, classesRead: run.coverage.rosters.classesRead });
    expect(run.coverage.rosters.classes).toBeGreaterThan(0);
  });

  it("reads through the real driver inside workerd", async () => {
    const database = connect(databaseUrl);
    try {
      const rows = await database.db.execute<{ version: string }>(sql`select version() as version`);
      expect(rows.rows[0]?.version).toMatch(/^PostgreSQL \d+/);
      expect(database.statements()).toBe(1);
    } finally {
      await database.end();
    }
  });
});
