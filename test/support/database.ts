/**
 * Per-test-file databases, copied from the migrated template that global setup made.
 * Runs inside workerd, through the real Neon driver and the local proxy.
 */
import { sql } from "drizzle-orm";
import { inject } from "vitest";
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
