import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client";
import { createToken, revokeToken, MAX_FAILURES } from "../../src/operators/tokens";
import { useTestDatabase } from "../support/database";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";

describe("operator auth", () => {
  const t = useTestDatabase("file");
  let url: string;
  let db: Database;
  let env: ReturnType<typeof testBindings>;

  beforeAll(() => {
    ({ url, database: db } = t);
    env = testBindings({ DATABASE_URL: url });
  });

  const runs = (headers: Record<string, string>, path = "/api/sync/runs") => fetchWorker(path, { headers }, env);
  let client = 0;
  /** Each case is its own client, so failures of one never rate-limit another. */
  const as = (headers: Record<string, string> = {}) => ({ "cf-connecting-ip": `192.0.2.${(client += 1)}`, ...headers });

  it.each([
    ["missing", {}],
    ["not Bearer", { authorization: `Basic ${btoa(`x:${OPERATOR_TOKEN}`)}` }],
    ["malformed", { authorization: "Bearer " }],
    ["with spaces", { authorization: `Bearer ${OPERATOR_TOKEN} extra` }],
    ["wrong", { authorization: "Bearer wrong-token-wrong-token-wrong-token" }],
    ["the env token's prefix", { authorization: `Bearer ${OPERATOR_TOKEN.slice(0, -1)}` }],
  ])("refuses a %s token with 401 and WWW-Authenticate", async (_name, headers) => {
    const res = await runs(as(headers));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: false, code: "UNAUTHORIZED", requestId: res.headers.get("x-request-id") });
    expect(JSON.stringify(body)).not.toContain(OPERATOR_TOKEN);
  });

  it("never accepts a token in the query string", async () => {
    for (const name of ["token", "access_token", "authorization"]) {
      const res = await runs(as(), `/api/sync/runs?${name}=${encodeURIComponent(OPERATOR_TOKEN)}`);
      expect(res.status).toBe(401);
    }
  });

  it("accepts the env token", async () => {
    const res = await runs(as({ authorization: `Bearer ${OPERATOR_TOKEN}` }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, runs: [] });
  });

  it("accepts a stored token, records its use, and refuses it once revoked", async () => {
    const { token } = await createToken(db.db, "nightly-script");
    const stored = (await db.db.execute(sql`select token_hash, last_used_at from operator_tokens where name = 'nightly-script'`)).rows[0] as { token_hash: string; last_used_at: unknown };
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(token);
    expect(stored.last_used_at).toBeNull();

    expect((await runs(as({ authorization: `Bearer ${token}` }))).status).toBe(200);
    const used = (await db.db.execute(sql`select last_used_at from operator_tokens where name = 'nightly-script'`)).rows[0] as { last_used_at: unknown };
    expect(used.last_used_at).not.toBeNull();

    expect(await revokeToken(db.db, "nightly-script")).toBe(true);
    expect((await runs(as({ authorization: `Bearer ${token}` }))).status).toBe(401);
  });

  it("works without OPERATOR_TOKEN when a stored token is used", async () => {
    const { token } = await createToken(db.db, "no-bootstrap");
    const res = await fetchWorker("/api/sync/runs", { headers: as({ authorization: `Bearer ${token}` }) }, testBindings({ DATABASE_URL: url, OPERATOR_TOKEN: undefined }));
    expect(res.status).toBe(200);
  });

  it(`answers 429 with Retry-After after ${MAX_FAILURES} failures from one client, and never refuses another client's valid token`, async () => {
    const attacker = as();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await runs({ ...attacker, authorization: `Bearer guess-${i}` })).status).toBe(401);
    }
    const limited = await runs({ ...attacker, authorization: `Bearer ${OPERATOR_TOKEN}` });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ success: false, code: "RATE_LIMITED" });

    const someoneElse = await runs(as({ authorization: `Bearer ${OPERATOR_TOKEN}` }));
    expect(someoneElse.status).toBe(200);
    // No client address is stored, only a hash of it.
    const keys = (await db.db.execute(sql`select distinct client_key from auth_failures`)).rows as { client_key: string }[];
    for (const k of keys) expect(k.client_key).not.toMatch(/192\.0\.2/);
  });

  it("puts secure headers on every response", async () => {
    const res = await runs(as());
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
  });
});
