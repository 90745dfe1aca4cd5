/** Per-file databases for Node-side tests, copied from the migrated template global setup made. */
import { sql } from "drizzle-orm";
import { inject } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";

export async function createNodeTestDatabase(prefix = "node"): Promise<string> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await withNodeDatabase(
    inject("adminDatabaseUrl"),
    (db) => db.execute(sql.raw(`create database ${name} template ${inject("templateDatabase")}`)),
    inject("wsProxy"),
  );
  return inject("adminDatabaseUrl").replace(/\/[^/]+$/, `/${name}`);
}
