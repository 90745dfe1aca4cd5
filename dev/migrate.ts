/**
 * `npm run db:migrate`: applies the committed migrations in drizzle/ to DATABASE_URL.
 * Applied migrations are recorded (drizzle.__drizzle_migrations), so a second run is harmless.
 *
 * It uses the same driver as the Worker. Against Neon, give the direct connection string.
 * Against a local Postgres it goes through NEON_WS_PROXY, or through a proxy of its own
 * started for the duration when that is unset.
 */
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ws from "ws";
import { isLoopbackHost, parseUrl } from "../src/config";
import { startWsProxy } from "./ws-proxy";

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "drizzle");

/** Points the Neon driver (in Node) at a local proxy, or at Neon itself when proxy is null. */
export function configureNodeDriver(proxy: string | null): void {
  neonConfig.webSocketConstructor = ws;
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

export async function migrateDatabase(databaseUrl: string, proxy: string | null): Promise<void> {
  configureNodeDriver(proxy);
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !parseUrl(databaseUrl)) {
    console.error("db:migrate: DATABASE_URL is missing or not a postgres:// URL");
    process.exit(2);
  }
  let proxy = process.env.NEON_WS_PROXY || null;
  let ownProxy: Awaited<ReturnType<typeof startWsProxy>> | null = null;
  if (!proxy && isLoopbackHost(new URL(databaseUrl).hostname)) {
    ownProxy = await startWsProxy();
    proxy = ownProxy.url;
  }
  try {
    await migrateDatabase(databaseUrl, proxy);
    console.log("db:migrate: migrations are up to date");
  } catch (error) {
    // The driver's messages name the failing statement, never the connection string.
    console.error(`db:migrate: failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await ownProxy?.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
