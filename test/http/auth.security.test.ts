/**
 * Operator auth decides in memory: no Authorization header, junk, a token of the old unsigned
 * kind and a forgery are refused with 401 without touching the database (checked against a
 * database that cannot be reached: any attempt would be a 500); only a correctly signed stored
 * token is looked up. Failures are limited per client address at the edge (the AUTH_FAILURES
 * binding, as miniflare simulates it), and a valid token never is.
 */
import { describe, expect, vi } from "vitest";
import type { Bindings } from "../../src/config";
import { clientKey, MAX_FAILURES } from "../../src/operators/rate-limit";
import { createToken, revokeToken } from "../../src/operators/tokens";
import { test } from "../support/fixtures";
import { fetchWorker, OPERATOR_TOKEN, OPERATOR_TOKEN_KEY_BYTES, testBindings } from "../support/worker";

/** A connection string whose server is not there: the Worker answers 500 if it tries it. */
const UNREACHABLE = "postgres://nobody@127.0.0.1:9/unreachable";

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const random = (n: number) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/** A token of the stored kind, signed with `key` (the format of src/operators/tokens.ts). */
async function signed(key: Uint8Array, id = crypto.randomUUID()): Promise<string> {
  const body = `bks_${id}.${random(32)}`;
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${body}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(body))))}`;
}

/** The text with one character changed (in a signature's middle: never one of its padding bits). */
const alter = (text: string, at: number) => `${text.slice(0, at)}${text[at] === "A" ? "B" : "A"}${text.slice(at + 1)}`;

/** Client addresses of this run only: the limiter lives as long as the test pool, across files. */
const run = crypto.getRandomValues(new Uint8Array(2));
let clients = 0;
const nextIPv4 = () => `10.${run[0]}.${run[1]}.${(clients += 1)}`;
const ipv6Prefix = () => `2001:db8:${run[0]!.toString(16)}${run[1]!.toString(16)}:${((clients += 1)).toString(16)}`;

type Runs = (headers: Record<string, string>, bindings?: Bindings) => Promise<Response>;

/** GET /api/sync/runs with these headers, to the file's Worker unless given other bindings. */
const it = test.extend(
  "runs",
  ({ env }): Runs =>
    (headers, bindings = env) =>
      fetchWorker("/api/sync/runs", { headers }, bindings),
);

describe("operator auth without the database", () => {
  it("refuses no header, junk, old unsigned tokens and forgeries with 401 before any database work", async ({ db, runs }) => {
    const offline = testBindings({ DATABASE_URL: UNREACHABLE });
    const real = (await createToken(db.db, "real-one", OPERATOR_TOKEN_KEY_BYTES)).token;
    const refused: Record<string, Record<string, string>> = {
      "no header": {},
      junk: { authorization: `Bearer ${random(32)}` },
      "an old unsigned stored token": { authorization: `Bearer bks_${random(32)}` },
      "a forged signature": { authorization: `Bearer bks_${crypto.randomUUID()}.${random(32)}.${random(32)}` },
      "a token signed with another key": { authorization: `Bearer ${await signed(new Uint8Array(32).fill(1))}` },
      "a real token with its signature altered": { authorization: `Bearer ${alter(real, real.length - 10)}` },
      "a real token with its id altered": { authorization: `Bearer bks_${crypto.randomUUID()}${real.slice(40)}` },
      "another scheme": { authorization: `Basic ${btoa(`x:${OPERATOR_TOKEN}`)}` },
      "an overlong token": { authorization: `Bearer ${"A".repeat(513)}` },
      "two tokens": { authorization: `Bearer ${real} ${real}` },
    };
    for (const [name, headers] of Object.entries(refused)) {
      for (const [path, method] of [
        ["/api/sync/runs", "GET"],
        ["/api/sync/bakalari", "POST"],
        [`/api/sync/runs/${crypto.randomUUID()}`, "GET"],
      ] as const) {
        const res = await fetchWorker(path, { method, headers: { ...headers, "cf-connecting-ip": nextIPv4() } }, offline);
        expect(res.status, `${name} on ${method} ${path}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await res.json()).toMatchObject({ success: false, code: "UNAUTHORIZED" });
      }
    }
    // A correctly signed token is the only kind that is looked up: here the lookup fails (500).
    const lookedUp = await runs({ authorization: `Bearer ${await signed(OPERATOR_TOKEN_KEY_BYTES)}` }, offline);
    expect(lookedUp.status).toBe(500);
    // The bootstrap token needs no database to be accepted either (the route then needs it).
    expect(
      (
        await fetchWorker(
          "/api/sync/bakalari",
          { method: "POST", headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "text/plain" }, body: "x" },
          offline,
        )
      ).status,
    ).toBe(400);
  });

  it("accepts the Bearer scheme in any case (RFC 7235)", async ({ runs }) => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect((await runs({ authorization: `${scheme} ${OPERATOR_TOKEN}` })).status, scheme).toBe(200);
    }
  });

  it("accepts a signed stored token, records its use, and refuses it once revoked or under another key", async ({
    db,
    databaseUrl,
    runs,
  }) => {
    const { id, token } = await createToken(db.db, "signed-script", OPERATOR_TOKEN_KEY_BYTES);
    expect(token).toMatch(new RegExp(`^bks_${id}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$`));
    expect((await runs({ authorization: `Bearer ${token}` })).status).toBe(200);
    const otherKey = testBindings({
      DATABASE_URL: databaseUrl,
      OPERATOR_TOKEN_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(2))),
    });
    expect((await runs({ authorization: `Bearer ${token}` }, otherKey)).status).toBe(401);
    expect(await revokeToken(db.db, "signed-script")).toBe(true);
    expect((await runs({ authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it("without OPERATOR_TOKEN_KEY accepts OPERATOR_TOKEN only, and warns when a stored token is presented", async ({
    db,
    databaseUrl,
    runs,
  }) => {
    const { token } = await createToken(db.db, "keyless", OPERATOR_TOKEN_KEY_BYTES);
    const keyless = testBindings({ DATABASE_URL: databaseUrl, OPERATOR_TOKEN_KEY: undefined });
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      expect((await runs({ authorization: `Bearer ${token}` }, keyless)).status).toBe(401);
      expect((await runs({ authorization: `Bearer ${OPERATOR_TOKEN}` }, keyless)).status).toBe(200);
      const warnings = log.mock.calls
        .map(([event]) => event as { level: string; message: string })
        .filter((e) => e.message === "operator_token_key_missing");
      expect(warnings).toEqual([expect.objectContaining({ level: "WARN" })]);
      expect(JSON.stringify(log.mock.calls)).not.toContain(token);
    } finally {
      log.mockRestore();
    }
  });
});

describe("the edge limit on failed authentications", () => {
  /**
   * Fails from `addresses()` until the first 429. The limiter counts per window of a minute;
   * should one end mid-test the count starts again, so two windows' worth are allowed.
   */
  async function failUntilLimited(runs: Runs, address: () => string): Promise<{ statuses: number[]; limited: Response | undefined }> {
    const statuses: number[] = [];
    for (let i = 0; i <= 2 * MAX_FAILURES; i++) {
      const res = await runs({ authorization: `Bearer guess-${i}`, "cf-connecting-ip": address() });
      statuses.push(res.status);
      if (res.status === 429) return { statuses, limited: res };
    }
    return { statuses, limited: undefined };
  }

  it(`answers 429 with Retry-After: 60 after ${MAX_FAILURES} failures, and still accepts a valid token from that address`, async ({
    db,
    runs,
  }) => {
    const attacker = nextIPv4();
    const { statuses, limited } = await failUntilLimited(runs, () => attacker);
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(limited?.headers.get("retry-after")).toBe("60");
    expect(await limited!.json()).toMatchObject({ success: false, code: "RATE_LIMITED" });
    expect((await runs({ authorization: `Bearer ${OPERATOR_TOKEN}`, "cf-connecting-ip": attacker })).status).toBe(200);
    const stored = (await createToken(db.db, "from-a-limited-address", OPERATOR_TOKEN_KEY_BYTES)).token;
    expect((await runs({ authorization: `Bearer ${stored}`, "cf-connecting-ip": attacker })).status).toBe(200);
    expect((await runs({ authorization: "Bearer guess", "cf-connecting-ip": nextIPv4() })).status).toBe(401);
  });

  it("counts an IPv6 client by its /64", async ({ runs }) => {
    const prefix = ipv6Prefix();
    let host = 0;
    const { limited } = await failUntilLimited(runs, () => `${prefix}::${((host += 1)).toString(16)}`);
    expect(limited?.status).toBe(429);
    expect((await runs({ authorization: "Bearer guess", "cf-connecting-ip": `${prefix}:ffff:ffff:ffff:ffff` })).status).toBe(429);
    expect((await runs({ authorization: "Bearer guess", "cf-connecting-ip": `${ipv6Prefix()}::1` })).status).toBe(401);
  });

  it("never limits a request without a client address, and never counts one without credentials", async ({ runs }) => {
    for (let i = 0; i < 3 * MAX_FAILURES; i++) expect((await runs({ authorization: `Bearer guess-${i}` })).status).toBe(401);
    const quiet = nextIPv4();
    for (let i = 0; i < 3 * MAX_FAILURES; i++) expect((await runs({ "cf-connecting-ip": quiet })).status).toBe(401);
    // Thirty requests without a header counted nothing: this is the address's first failure.
    expect((await runs({ authorization: "Bearer guess", "cf-connecting-ip": quiet })).status).toBe(401);
  });

  it("keys addresses: IPv4 whole, IPv6 by /64 in any spelling, mapped IPv4 as IPv4, none as none", () => {
    expect(clientKey("192.0.2.7")).toBe("ip4:192.0.2.7");
    expect(clientKey(" 192.0.2.7 ")).toBe("ip4:192.0.2.7");
    const v6 = "ip6:2001:db8:a:b::/64";
    for (const a of [
      "2001:db8:a:b::1",
      "2001:DB8:A:B:1:2:3:4",
      "2001:0db8:000a:000b:0000:0000:0000:0001",
      "[2001:db8:a:b::9]",
      "2001:db8:a:b::1%eth0",
      "2001:db8:a:b:0:0:192.0.2.1",
    ]) {
      expect(clientKey(a), a).toBe(v6);
    }
    expect(clientKey("2001:db8:a:c::1")).not.toBe(v6);
    expect(clientKey("::1")).toBe("ip6:0:0:0:0::/64");
    expect(clientKey("::ffff:192.0.2.7")).toBe("ip4:192.0.2.7");
    expect(clientKey("::ffff:c000:207")).toBe("ip4:192.0.2.7");
    expect(clientKey(undefined)).toBeNull();
    expect(clientKey("")).toBeNull();
    expect(clientKey("not an address")).toBe("other:not an address");
    expect(clientKey("1:2:3:4:5:6:7:8:9")).toBe("other:1:2:3:4:5:6:7:8:9");
    expect(clientKey("1::2::3")).toBe("other:1::2::3");
    expect(clientKey("256.1.1.1")).toBe("other:256.1.1.1");
  });
});
