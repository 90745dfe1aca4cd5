/**
 * Per-test-file databases, copied from the migrated template that global setup made.
 * Runs inside workerd, through the real Neon driver and the local proxy.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { openDatabase, type Database } from "../../src/db/client";

let counter = 0;

/** Creates a fresh, migrated, empty database and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const admin = openDatabase({ databaseUrl: inject("adminDatabaseUrl"), neonWsProxy: inject("wsProxy") });
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}_${(counter += 1)}`;
  try {
    await admin.db.execute(sql.raw(`CREATE DATABASE ${name} TEMPLATE ${inject("templateDatabase")}`));
  } finally {
    await admin.end();
  }
  return inject("adminDatabaseUrl").replace(/\/[^/]+$/, `/${name}`);
}

/** Opens a handle on a test database; end it when done. */
export function connect(databaseUrl: string): Database {
  return openDatabase({ databaseUrl, neonWsProxy: inject("wsProxy") });
}

export type TestDatabase = { url: string; database: Database };

/**
 * A fresh database for each test ("each") or for the whole file ("file"), with a handle
 * on it; every handle opened is ended after the file. Read its fields inside tests.
 */
export function useTestDatabase(scope: "each" | "file" = "each"): TestDatabase {
  const current = {} as TestDatabase;
  const opened: Database[] = [];
  const open = async () => {
    current.url = await createTestDatabase();
    current.database = connect(current.url);
    opened.push(current.database);
  };
  if (scope === "each") beforeEach(open);
  else beforeAll(open);
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.end()));
  });
  return current;
}
