/**
 * The invocation's database handle, through one of two drivers behind one type:
 * - with a HYPERDRIVE binding, node-postgres (`pg`) over Hyperdrive, which keeps warm
 *   connections to Postgres near it, so an invocation does not pay a TLS and auth handshake;
 * - otherwise Neon's serverless driver over WebSockets with DATABASE_URL (locally through the
 *   WebSocket-to-TCP proxy).
 * Both are drizzle PgDatabases with the same query API and pg-shaped results, so the engine,
 * batch writes and tests do not care which they got.
 */
import { neonConfig, Pool as NeonPool } from "@neondatabase/serverless";
import type { Assume, Logger } from "drizzle-orm";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema";

/** What execute() answers with either driver: the rows, and how many rows a write touched. */
export type DbQueryResult<Row> = { rows: Row[]; rowCount: number | null };
export interface DbQueryResultHKT extends PgQueryResultHKT {
  type: DbQueryResult<Assume<this["row"], Record<string, unknown>>>;
}

export type Db = PgDatabase<DbQueryResultHKT, typeof schema>;
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
  /** postgres://… for Neon's driver; unused when hyperdrive is set. */
  databaseUrl: string | null;
  /** host:port of the local WebSocket-to-TCP proxy; null in production (Neon's own endpoint). */
  neonWsProxy: string | null;
  /** The HYPERDRIVE binding's connection string: node-postgres through Hyperdrive instead. */
  hyperdrive?: { connectionString: string } | null;
};

// Runs are short; a few connections cover the lease, the apply transaction and a fresh
// connection to record a failure after the old one broke.
const MAX_CONNECTIONS = 4;
const CONNECT_TIMEOUT_MS = 15_000;

type ErrorSource = { on(event: "error", listener: () => void): unknown };
type Pool = ErrorSource & { on(event: "connect", listener: (client: ErrorSource) => void): unknown; end(): Promise<void> };

/**
 * Opens a pool for one invocation. A pool must not outlive the request or cron event that
 * made it: workerd refuses I/O on behalf of a different request.
 */
export function openDatabase(options: DatabaseOptions): Database {
  let count = 0;
  const logger: Logger = {
    logQuery() {
      count += 1;
    },
  };
  const { db, pool } = options.hyperdrive ? throughHyperdrive(options.hyperdrive.connectionString, logger) : throughNeon(options, logger);
  // A connection that breaks (the proxy, Neon or Hyperdrive closing it), idle or checked out,
  // must not become an uncaught error: the query on it fails, and that failure is handled.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  let ended: Promise<void> | null = null;
  return {
    db,
    statements: () => count,
    end: () => (ended ??= pool.end().catch(() => undefined)),
  };
}

/**
 * node-postgres through Hyperdrive. Hyperdrive's query caching must be off for this Worker
 * (README): the sync reads its own writes (the lease, the refs it just wrote).
 */
function throughHyperdrive(connectionString: string, logger: Logger): { db: Db; pool: Pool } {
  const pool = new pg.Pool({ connectionString, max: MAX_CONNECTIONS, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  return { db: drizzlePg(pool, { schema, logger }), pool };
}

function throughNeon(options: DatabaseOptions, logger: Logger): { db: Db; pool: Pool } {
  if (!options.databaseUrl) throw new Error("openDatabase: neither DATABASE_URL nor a HYPERDRIVE binding");
  const pool = new NeonPool({ connectionString: options.databaseUrl, max: MAX_CONNECTIONS, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  if (options.neonWsProxy) throughLocalProxy(options.neonWsProxy);
  return { db: drizzleNeon(pool, { schema, logger }), pool };
}

/**
 * Points Neon's driver at a local Postgres behind the plain ws:// proxy (dev/ws-proxy.ts):
 * no TLS, and no pipelined password message (a trusting server does not expect one).
 * neonConfig is global, which is fine: every invocation of one Worker (or one CLI) has the
 * same setting.
 */
export function throughLocalProxy(proxy: string): void {
  neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}
