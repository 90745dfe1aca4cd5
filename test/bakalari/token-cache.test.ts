import { sql } from "drizzle-orm";
import { describe, expect, inject } from "vitest";
import { ROSTER_WARNING } from "../../src/codes";
import type { RosterWarning } from "../../src/bakalari/roster";
import { accountKey, createTokenCache, type TokenPair } from "../../src/bakalari/token-cache";
import { connect } from "../support/database";
import { test } from "../support/fixtures";

const BASE_URL = "https://bakalari.example.cz";
const USERNAME = "sync-service";
const key = (fill: number) => new Uint8Array(32).fill(fill);
const pair: TokenPair = {
  accessToken: "ACCESS-7f3a9c1e5b2d4f60",
  refreshToken: "REFRESH-0c8e2a4b6d1f3e59",
  accessExpiresAt: new Date("2026-03-02T09:00:00.000Z"),
};

type Row = { account_key: string; iv: Uint8Array; ciphertext: Uint8Array; access_expires_at: Date };

const it = test
  /** A cache, with its load and save reporting into `warnings`. */
  .extend("cacheWith", ({ db }) => (k: Uint8Array, warnings: RosterWarning[] = [], username = USERNAME) => {
    const cache = createTokenCache({ db: db.db, key: k, baseUrl: BASE_URL, username });
    const warn = (w: RosterWarning) => warnings.push(w);
    return { load: () => cache.load(warn), save: (p: TokenPair) => cache.save(p, warn) };
  })
  .extend(
    "rows",
    ({ db }) =>
      async () =>
        (await db.db.execute<Row>(sql`select * from bakalari_sessions`)).rows,
  );

describe("token cache", () => {
  it.beforeEach(async ({ db }) => {
    await db.db.execute(sql`delete from bakalari_sessions`);
  });

  it("keeps the pair between runs", async ({ cacheWith }) => {
    await cacheWith(key(1)).save(pair);
    const warnings: RosterWarning[] = [];
    expect(await cacheWith(key(1), warnings).load()).toEqual(pair);
    expect(warnings).toEqual([]);
  });

  it("stores neither token nor username in clear, under a SHA-256 of base URL and username", async ({ cacheWith, rows }) => {
    await cacheWith(key(1)).save(pair);
    const [row] = await rows();
    expect(row?.account_key).toBe(await accountKey(BASE_URL, USERNAME));
    expect(row?.account_key).toMatch(/^[0-9a-f]{64}$/);
    expect(new Uint8Array(row!.iv)).toHaveLength(12);
    const stored = Buffer.from(row!.ciphertext);
    for (const text of [pair.accessToken, pair.refreshToken, "ACCESS", "REFRESH"]) {
      expect(stored.includes(Buffer.from(text))).toBe(false);
      expect(stored.toString("base64")).not.toContain(Buffer.from(text).toString("base64"));
    }
    const everything = JSON.stringify(await rows(), (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v));
    expect(everything).not.toContain(USERNAME);
    expect(everything).not.toContain(pair.accessToken);
  });

  it("uses a fresh IV for every write", async ({ cacheWith, rows }) => {
    const cache = cacheWith(key(1));
    await cache.save(pair);
    const first = Buffer.from((await rows())[0]!.iv).toString("hex");
    await cache.save(pair);
    const second = Buffer.from((await rows())[0]!.iv).toString("hex");
    expect(second).not.toBe(first);
    expect(await rows()).toHaveLength(1);
  });

  it("discards a pair it cannot decrypt (rotated key) with a warning, without throwing", async ({ cacheWith, rows }) => {
    await cacheWith(key(1)).save(pair);
    const warnings: RosterWarning[] = [];
    expect(await cacheWith(key(2), warnings).load()).toBeNull();
    expect(warnings.map((w) => w.code)).toEqual([ROSTER_WARNING.tokenCacheUnreadable]);
    expect(await rows()).toHaveLength(0);
  });

  it("keeps accounts apart", async ({ cacheWith }) => {
    await cacheWith(key(1), [], "other-account").save(pair);
    expect(await cacheWith(key(1)).load()).toBeNull();
  });

  it("goes on without the cache when the database fails, with a warning", async () => {
    const broken = connect(inject("adminDatabaseUrl").replace(/\/[^/]+$/, "/t_does_not_exist"));
    try {
      const warnings: RosterWarning[] = [];
      const cache = createTokenCache({ db: broken.db, key: key(1), baseUrl: BASE_URL, username: USERNAME });
      expect(await cache.load((w) => warnings.push(w))).toBeNull();
      const saveWarnings: RosterWarning[] = [];
      await cache.save(pair, (w) => saveWarnings.push(w));
      // Each call reports through the warn it was given.
      expect(warnings.map((w) => w.code)).toEqual([ROSTER_WARNING.tokenCacheFailed]);
      expect(saveWarnings.map((w) => w.code)).toEqual([ROSTER_WARNING.tokenCacheFailed]);
    } finally {
      await broken.end();
    }
  });
});
