import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema";

export type Db = NeonDatabase<typeof schema>;
/** What a transaction callback receives; the same query API as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Database = {
  db: Db;
  /** SQL statements sent so far through this handle, BEGIN and COMMIT included. */
  statements(): number;
  /** Ends the pool; call through ctx.waitUntil at the end of the invocation. */
  end(): Promise<void>;
};

export type DatabaseOptions = {
  databaseUrl: string;
  /** host:port of the local WebSocket-to-TCP proxy; null in production (Neon's own endpoint). */
  neonWsProxy: string | null;
};

/**
 * Opens a Pool for one invocation. A Pool must not outlive the request or cron
 * event that made it: workerd refuses I/O on behalf of a different request.
 */
export function openDatabase(options: DatabaseOptions): Database {
  const pool = new Pool({
    connectionString: options.databaseUrl,
    // Runs are short; a few connections cover the lease, the apply transaction and a fresh
    // connection to record a failure after the old one broke.
    max: 4,
    connectionTimeoutMillis: 15_000,
  });
  const proxy = options.neonWsProxy;
  if (proxy) {
    // A local Postgres behind the plain ws:// proxy (dev/ws-proxy.ts): no TLS, and no
    // pipelined password message (a trusting server does not expect one). neonConfig is
    // global, which is fine: every invocation of one Worker has the same setting.
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  // A connection that breaks (the proxy or Neon closing it), idle or checked out, must not
  // become an uncaught error: the query on it fails, and that failure is handled.
  pool.on("error", () => undefined);
  pool.on("connect", (client: { on(event: "error", listener: () => void): unknown }) => client.on("error", () => undefined));
  let count = 0;
  const db = drizzle(pool, {
    schema,
    logger: {
      logQuery() {
        count += 1;
      },
    },
  });
  let ended: Promise<void> | null = null;
  return {
    db,
    statements: () => count,
    end: () => (ended ??= pool.end().catch(() => undefined)),
  };
}
