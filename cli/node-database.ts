/**
 * The Worker's own driver (Neon's, over WebSockets) used from Node by the CLIs.
 * Against Neon it connects directly; against a local Postgres it goes through
 * NEON_WS_PROXY, or through a proxy of its own started for the duration.
 */
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import ws from "ws";
import { isLoopbackHost, parseUrl } from "../src/config";
import { throughLocalProxy, type Db } from "../src/db/client";
import * as schema from "../src/db/schema";
import { startWsProxy } from "../dev/ws-proxy";

/** Points the Neon driver (in Node) at a local proxy, or at Neon itself when proxy is null. */
export function configureNodeDriver(proxy: string | null): void {
  neonConfig.webSocketConstructor = ws;
  if (proxy) throughLocalProxy(proxy);
}

/** Reads DATABASE_URL or exits with a message that names the variable, never its value. */
export function databaseUrlFromEnv(tool: string): string {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url) || !parseUrl(url)) {
    console.error(`${tool}: DATABASE_URL is missing or not a postgres:// URL`);
    process.exit(2);
  }
  return url;
}

/**
 * Runs fn with a database handle on databaseUrl, then closes everything it opened.
 * `proxy` defaults to NEON_WS_PROXY.
 */
export async function withNodeDatabase<T>(
  databaseUrl: string,
  fn: (db: Db, pool: Pool) => Promise<T>,
  proxyOverride?: string | null,
): Promise<T> {
  let proxy = proxyOverride !== undefined ? proxyOverride : process.env.NEON_WS_PROXY || null;
  const own = !proxy && isLoopbackHost(new URL(databaseUrl).hostname) ? await startWsProxy() : null;
  proxy ??= own?.url ?? null;
  configureNodeDriver(proxy);
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  pool.on("error", () => undefined);
  try {
    return await fn(drizzle(pool, { schema }), pool);
  } finally {
    await pool.end();
    await own?.close();
  }
}
