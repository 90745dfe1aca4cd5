/**
 * Per-test-file databases, copied from the migrated template that global setup made. They are
 * made through Neon's driver and the local proxy; a test's handle on one follows the project's
 * driver (driver.ts). Tests take them as fixtures (fixtures.ts).
 */
import { sql } from "drizzle-orm";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../src/db/client";
import { DRIVER, type Driver } from "./driver";
import { hyperdriveFor } from "./hyperdrive";

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

/** Opens a handle on a test database, through the project's driver unless told; end it when done. */
export function connect(databaseUrl: string, driver: Driver = DRIVER): Database {
  return openDatabase(
    driver === "hyperdrive"
      ? { databaseUrl: null, neonWsProxy: null, hyperdrive: hyperdriveFor(databaseUrl) }
      : { databaseUrl, neonWsProxy: inject("wsProxy") },
  );
}
