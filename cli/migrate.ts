/**
 * `npm run db:migrate`: applies the committed migrations in drizzle/ to DATABASE_URL.
 * Applied migrations are recorded (drizzle.__drizzle_migrations), so a second run is
 * harmless. Against Neon, give the direct (non-pooled) connection string.
 */
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseUrlFromEnv, withNodeDatabase } from "./node-database";

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "drizzle");

/** Applies pending migrations; `proxy` is the local WebSocket proxy, null for Neon. */
export async function migrateDatabase(databaseUrl: string, proxy?: string | null): Promise<void> {
  await withNodeDatabase(databaseUrl, (_db, pool) => migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_FOLDER }), proxy);
}

async function main(): Promise<void> {
  const databaseUrl = databaseUrlFromEnv("db:migrate");
  try {
    await migrateDatabase(databaseUrl);
    console.log("db:migrate: migrations are up to date");
  } catch (error) {
    // The driver's messages name the failing statement, never the connection string.
    console.error(`db:migrate: failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
