import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, createTestDatabase } from "../support/database";
import { fetchWorker, testBindings } from "../support/worker";

describe("GET /health", () => {
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  it("says never on an empty database", async () => {
    const res = await fetchWorker("/health", undefined, testBindings({ DATABASE_URL: databaseUrl }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ status: "never", lastSuccessAt: null, lastRunStatus: null });
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
