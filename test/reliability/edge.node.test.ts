/**
 * The unauthenticated path never reaches Postgres, shown through `wrangler dev` (workerd, the
 * edge rate limiter and the Cache API as miniflare simulates them) with the connections and
 * statements counted at the database proxy (dev/ws-proxy.ts) that every connection of the
 * Worker goes through:
 * - 200 requests with junk or forged tokens from 200 addresses: 0 connections, 0 statements;
 * - 200 GET /health in a row: at most 5 connections (the edge cache keeps the answer 15 s);
 * - a real token, stored or bootstrap, works right after, and from an address that was limited.
 * Counts only, never timings.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";
import { startWsProxy, statementCounter, type WsProxy } from "../../dev/ws-proxy";
import { MAX_FAILURES } from "../../src/operators/rate-limit";
import { createToken } from "../../src/operators/tokens";
import { createNodeTestDatabase } from "../support/node-database";
import { workerVars } from "../support/worker-vars";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";

const BOOTSTRAP = `edge-${randomBytes(24).toString("hex")}`;
const KEY = randomBytes(32);
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

type Stats = { open: number; total: number; dropped: number; statements: number };

/** A token of the stored kind signed with `key` (the format of src/operators/tokens.ts). */
async function signedWith(key: Uint8Array): Promise<string> {
  const body = `bks_${crypto.randomUUID()}.${b64url(randomBytes(32))}`;
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${body}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(body))))}`;
}

describe("the unauthenticated path through wrangler dev, counted at the database proxy", { timeout: 180_000 }, () => {
  let proxy: WsProxy;
  let worker: DevWorker;
  let stored: string;

  beforeAll(async () => {
    // A proxy of this file's own: it counts the Worker's connections and nothing else's.
    proxy = await startWsProxy();
    const url = await createNodeTestDatabase("edge");
    stored = await withNodeDatabase(url, async (db) => (await createToken(db, "edge-operator", KEY)).token, inject("wsProxy"));
    // Bakaláři is never asked: no sync runs here.
    const at = { databaseUrl: url, wsProxy: proxy.url, bakalariUrl: "http://127.0.0.1:9" };
    worker = await startWorker({ vars: workerVars(at, { OPERATOR_TOKEN: BOOTSTRAP, OPERATOR_TOKEN_KEY: KEY.toString("base64") }) });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await proxy?.close();
  }, 60_000);

  const stats = async () => (await (await fetch(`http://${proxy.url}/control/stats`)).json()) as Stats;
  const send = (path: string, init: RequestInit = {}) => fetch(`${worker.url}${path}`, init);

  it("counts connections and statements at the proxy", async () => {
    const before = await stats();
    await withNodeDatabase(
      await createNodeTestDatabase("edgecount"),
      async (db) => {
        await db.execute(sql`select 1`);
        await db.execute(sql`select ${2}::int`);
        await db.transaction(async (tx) => {
          await tx.execute(sql`select 3`);
        });
      },
      proxy.url,
    );
    const after = await stats();
    expect(after.total - before.total).toBe(1);
    // select 1, select $1, BEGIN, select 3, COMMIT.
    expect(after.statements - before.statements).toBe(5);

    // The framing by itself: a startup packet, then a Query and a Parse/Bind/Execute/Sync, split anywhere.
    let counted = 0;
    const feed = statementCounter(() => (counted += 1));
    const message = (type: string, body: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeInt32BE(body.length + 4);
      return Buffer.concat([Buffer.from(type), length, body]);
    };
    const startup = Buffer.from([0, 0, 0, 8, 0, 3, 0, 0]);
    const wire = Buffer.concat([
      startup,
      message("Q", Buffer.from("select 1\0")),
      message("P", Buffer.from("\0select $1\0\0\0")),
      message("B", Buffer.alloc(10)),
      message("E", Buffer.from("\0\0\0\0\0")),
      message("S", Buffer.alloc(0)),
    ]);
    for (let i = 0; i < wire.length; i += 3) feed(wire.subarray(i, i + 3));
    expect(counted).toBe(2);
  });

  it("answers 200 requests with junk or forged tokens from 200 addresses with 401, opening no connection and sending no statement", async () => {
    const otherKey = randomBytes(32);
    const kinds: Array<() => Promise<Record<string, string>>> = [
      async () => ({}),
      async () => ({ authorization: `Bearer ${b64url(randomBytes(32))}` }),
      async () => ({ authorization: `Bearer bks_${b64url(randomBytes(32))}` }), // the old, unsigned kind
      async () => ({ authorization: `Bearer bks_${crypto.randomUUID()}.${b64url(randomBytes(32))}.${b64url(randomBytes(32))}` }),
      async () => ({ authorization: `Bearer ${await signedWith(otherKey)}` }),
      async () => ({ authorization: `Bearer bks_${crypto.randomUUID()}${stored.slice(40)}` }), // a real signature on another id
      async () => ({ authorization: `bearer ${BOOTSTRAP.slice(0, -1)}` }),
      async () => ({ authorization: `Basic ${btoa(`x:${BOOTSTRAP}`)}` }),
    ];
    const routes = [
      ["GET", "/api/sync/runs"],
      ["POST", "/api/sync/bakalari"],
      ["GET", `/api/sync/runs/${crypto.randomUUID()}`],
    ] as const;
    const before = await stats();
    for (let i = 0; i < 200; i++) {
      const address = i % 2 === 0 ? `198.18.${i >> 8}.${(i & 255) + 1}` : `2001:db8:e${i.toString(16)}::${i.toString(16)}`;
      const [method, path] = routes[i % routes.length]!;
      const res = await send(path, { method, headers: { ...(await kinds[i % kinds.length]!()), "cf-connecting-ip": address } });
      expect(res.status, `request ${i}`).toBe(401);
      await res.arrayBuffer();
    }
    const after = await stats();
    expect({ connections: after.total - before.total, statements: after.statements - before.statements }).toEqual({
      connections: 0,
      statements: 0,
    });
  });

  it("answers 200 GET /health in a row with at most 5 connections", async () => {
    const before = await stats();
    for (let i = 0; i < 200; i++) {
      const res = await send("/health");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "never", lastSuccessAt: null, lastRunStatus: null, rosterCoverage: null });
    }
    const after = await stats();
    expect(after.total - before.total).toBeGreaterThanOrEqual(1);
    expect(after.total - before.total).toBeLessThanOrEqual(5);
  });

  it("accepts a real token right after, and from an address whose failures were limited", async () => {
    const attacker = "198.19.0.1";
    const statuses: number[] = [];
    const before = await stats();
    // The limiter counts per window of a minute: two windows' worth of guesses meet a 429 for sure.
    for (let i = 0; i <= 2 * MAX_FAILURES && !statuses.includes(429); i++) {
      const res = await send("/api/sync/runs", { headers: { authorization: `Bearer guess-${i}`, "cf-connecting-ip": attacker } });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get("retry-after")).toBe("60");
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(statuses).toContain(429);
    expect((await stats()).total).toBe(before.total);

    for (const token of [stored, BOOTSTRAP]) {
      const fromAnywhere: Record<string, string> = { authorization: `Bearer ${token}` };
      for (const headers of [fromAnywhere, { ...fromAnywhere, "cf-connecting-ip": attacker }]) {
        const res = await send("/api/sync/runs", { headers });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ success: true, runs: [] });
      }
    }
    // These reached the database: the stored token's lookup and the runs list.
    expect((await stats()).total).toBeGreaterThan(before.total);
  });
});
