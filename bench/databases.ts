/**
 * Throwaway databases for the benchmark: copies of a template, made and dropped from
 * the cluster's maintenance database, through the same Neon driver and proxy the sync uses.
 */
import os from "node:os";
import { Pool } from "@neondatabase/serverless";
import { startPostgresCluster } from "../dev/postgres";
import { startWsProxy } from "../dev/ws-proxy";

export type Admin = {
  /** postgres://… of the database called name on the same cluster. */
  urlOf(name: string): string;
  /** CREATE DATABASE name TEMPLATE template (drops a leftover of the same name first). */
  copy(name: string, template: string): Promise<void>;
  drop(name: string): Promise<void>;
  /** Runs a statement in the maintenance database. */
  query<T extends Record<string, unknown>>(statement: string): Promise<T[]>;
  /** Runs one statement inside database name (VACUUM, for one, cannot run from elsewhere). */
  execIn(name: string, statement: string): Promise<void>;
  end(): Promise<void>;
};

const NAME = /^[a-z][a-z0-9_]*$/;

function quoted(name: string): string {
  if (!NAME.test(name)) throw new Error(`bench: bad database name ${name}`);
  return `"${name}"`;
}

/** adminUrl: postgres://…/postgres of the cluster. */
export function openAdmin(adminUrl: string): Admin {
  const pool = new Pool({ connectionString: adminUrl, max: 1 });
  pool.on("error", () => undefined);
  const urlOf = (name: string) => adminUrl.replace(/\/[^/]+$/, `/${name}`);

  return {
    urlOf,
    async copy(name, template) {
      await pool.query(`drop database if exists ${quoted(name)} with (force)`);
      // A template must have no session. A pool that was just ended may still be closing its
      // backend on the server side (55006 "being accessed by other users"): wait for it.
      for (let attempt = 0; ; attempt++) {
        try {
          await pool.query(`create database ${quoted(name)} template ${quoted(template)}`);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== "55006" || attempt >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    async query<T extends Record<string, unknown>>(statement: string) {
      return (await pool.query<T>(statement)).rows;
    },
    async drop(name) {
      await pool.query(`drop database if exists ${quoted(name)} with (force)`);
    },
    async execIn(name, statement) {
      const inside = new Pool({ connectionString: urlOf(name), max: 1 });
      inside.on("error", () => undefined);
      try {
        await inside.query(statement);
      } finally {
        await inside.end();
      }
    },
    end: () => pool.end(),
  };
}

/**
 * What every bench run starts with: a throwaway cluster and the WebSocket proxy, noting when
 * it started and the machine's load (other work on the machine skews every figure).
 */
export async function startBench() {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const cluster = await startPostgresCluster();
  const proxy = await startWsProxy();
  return { started, loadBefore, cluster, proxy };
}
