import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { MAX_FAILURES } from "../../src/operators/rate-limit";
import { createToken, revokeToken } from "../../src/operators/tokens";
import { test } from "../support/fixtures";
import { fetchWorker, OPERATOR_TOKEN, OPERATOR_TOKEN_KEY_BYTES, testBindings } from "../support/worker";

const it = test.extend(
  "runs",
  ({ env }) =>
    (headers: Record<string, string>, path = "/api/sync/runs") =>
      fetchWorker(path, { headers }, env),
);

describe("operator auth", () => {
  let client = 0;
  /** Each case is its own client, so failures of one never rate-limit another. */
  const as = (headers: Record<string, string> = {}) => ({ "cf-connecting-ip": `192.0.2.${(client += 1)}`, ...headers });

  it.for([
    ["missing", {}],
    ["not Bearer", { authorization: `Basic ${btoa(`x:${OPERATOR_TOKEN}`)}` }],
    ["malformed", { authorization: "Bearer " }],
    ["with spaces", { authorization: `Bearer ${OPERATOR_TOKEN} extra` }],
    ["wrong", { authorization: "Bearer wrong-token-wrong-token-wrong-token" }],
    ["the env token's prefix", { authorization: `Bearer ${OPERATOR_TOKEN.slice(0, -1)}` }],
  ] as [string, Record<string, string>][])("refuses a %s token with 401 and WWW-Authenticate", async ([_name, headers], { runs }) => {
    const res = await runs(as(headers));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ success: false, code: "UNAUTHORIZED", requestId: res.headers.get("x-request-id") });
    expect(JSON.stringify(body)).not.toContain(OPERATOR_TOKEN);
  });

  it("never accepts a token in the query string", async ({ runs }) => {
    for (const name of ["token", "access_token", "authorization"]) {
      const res = await runs(as(), `/api/sync/runs?${name}=${encodeURIComponent(OPERATOR_TOKEN)}`);
      expect(res.status).toBe(401);
    }
  });

  it("accepts the env token", async ({ runs }) => {
    const res = await runs(as({ authorization: `Bearer ${OPERATOR_TOKEN}` }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, runs: [] });
  });

  it("accepts a stored token, records its use, and refuses it once revoked", async ({ db, runs }) => {
    const { token } = await createToken(db.db, "nightly-script", OPERATOR_TOKEN_KEY_BYTES);
    const stored = (await db.db.execute(sql`select token_hash, last_used_at from operator_tokens where name = 'nightly-script'`))
      .rows[0] as { token_hash: string; last_used_at: unknown };
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(token);
    expect(stored.last_used_at).toBeNull();

    expect((await runs(as({ authorization: `Bearer ${token}` }))).status).toBe(200);
    const used = (await db.db.execute(sql`select last_used_at from operator_tokens where name = 'nightly-script'`)).rows[0] as {
      last_used_at: unknown;
    };
    expect(used.last_used_at).not.toBeNull();

    expect(await revokeToken(db.db, "nightly-script")).toBe(true);
    expect((await runs(as({ authorization: `Bearer ${token}` }))).status).toBe(401);
  });

  it("works without OPERATOR_TOKEN when a stored token is used", async ({ db, databaseUrl }) => {
    const { token } = await createToken(db.db, "no-bootstrap", OPERATOR_TOKEN_KEY_BYTES);
    const res = await fetchWorker(
      "/api/sync/runs",
      { headers: as({ authorization: `Bearer ${token}` }) },
      testBindings({ DATABASE_URL: databaseUrl, OPERATOR_TOKEN: undefined }),
    );
    expect(res.status).toBe(200);
  });

  it(`answers 429 with Retry-After once a client failed ${MAX_FAILURES} times, and never refuses a valid token`, async ({ runs }) => {
    const attacker = as();
    // The edge limiter counts per window of a minute; should one end mid-test, the count starts
    // again, so the 429 is looked for over two windows' worth of guesses.
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i <= 2 * MAX_FAILURES && !limited; i++) {
      const res = await runs({ ...attacker, authorization: `Bearer guess-${i}` });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(limited?.headers.get("retry-after")).toBe("60");
    expect(await limited!.json()).toMatchObject({ success: false, code: "RATE_LIMITED" });

    // The operator's valid token is accepted even from that address, and another client is not limited.
    expect((await runs({ ...attacker, authorization: `Bearer ${OPERATOR_TOKEN}` })).status).toBe(200);
    expect((await runs(as({ authorization: "Bearer guess" }))).status).toBe(401);
  });

  it("puts secure headers on every response", async ({ runs }) => {
    const res = await runs(as());
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
  });
});
