import { describe, expect, it } from "vitest";
import { createApi } from "../../src/bakalari/api";
import { createSession, safetyMarginMs } from "../../src/bakalari/auth";
import { createHttpClient } from "../../src/bakalari/http";
import { ROSTER_WARNING } from "../../src/codes";
import type { RosterWarning } from "../../src/bakalari/roster";
import type { TokenCache, TokenPair } from "../../src/bakalari/token-cache";
import { bakalariError } from "../support/errors";

const USERNAME = "sync-service";
const PASSWORD = "s3cret-Pa55";
const T0 = Date.parse("2026-03-02T08:00:00Z");

/**
 * A scripted Bakaláři login endpoint (and one API route) as a fetch function: tokens
 * are numbered a1/r1, a2/r2…; a refresh token can be redeemed once.
 */
function miniBakalari(options: { expiresIn?: number; refuse401?: Set<string>; loginStatus?: number } = {}) {
  const logins = { password: 0, refresh: 0, failed: 0 };
  const forms: URLSearchParams[] = [];
  const apiTokens: string[] = [];
  const redeemed = new Set<string>();
  const issuedRefresh = new Set<string>();
  let n = 0;
  const issue = () => {
    n += 1;
    issuedRefresh.add(`r${n}`);
    return Response.json({
      access_token: `a${n}`,
      refresh_token: `r${n}`,
      expires_in: options.expiresIn ?? 3600,
      token_type: "Bearer",
      "bak:UserId": "X",
    });
  };
  const refuse = (description: string) => Response.json({ error: "invalid_grant", error_description: description }, { status: 400 });
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname === "/api/login") {
      if (options.loginStatus) return new Response("{}", { status: options.loginStatus });
      const form = new URLSearchParams(String(init?.body));
      forms.push(form);
      if (form.get("client_id") !== "ANDR") return refuse("client");
      if (form.get("grant_type") === "password") {
        if (form.get("username") === USERNAME && form.get("password") === PASSWORD) {
          logins.password += 1;
          return issue();
        }
        logins.failed += 1;
        return refuse(`Wrong password for ${form.get("username")}`);
      }
      const token = form.get("refresh_token") ?? "";
      if (issuedRefresh.has(token) && !redeemed.has(token)) {
        redeemed.add(token);
        logins.refresh += 1;
        return issue();
      }
      logins.failed += 1;
      return refuse("The refresh token has already been redeemed.");
    }
    const token = new Headers(init?.headers).get("authorization")?.replace(/^Bearer /, "") ?? "";
    apiTokens.push(token);
    if (options.refuse401?.has(token) || !/^a\d+$/.test(token)) {
      return Response.json({ Message: "Authorization has been denied for this request." }, { status: 401 });
    }
    return Response.json({ UserUID: "u" });
  }) as typeof fetch;
  return { fetchFn, logins, forms, apiTokens };
}

function memoryCache(initial: TokenPair | null = null) {
  const state = { stored: initial, saves: 0 };
  const cache: TokenCache = {
    load: async () => state.stored,
    save: async (pair) => {
      state.stored = pair;
      state.saves += 1;
    },
  };
  return { cache, state };
}

function setup(server: ReturnType<typeof miniBakalari>, cache: TokenCache | null, clock = { now: T0 }, password = PASSWORD) {
  const http = createHttpClient("http://school.test", server.fetchFn, { baseDelayMs: 1, maxRetries: 3 });
  const warnings: RosterWarning[] = [];
  const session = createSession({
    http,
    username: USERNAME,
    password,
    cache,
    now: () => new Date(clock.now),
    warn: (w) => warnings.push(w),
  });
  return { http, session, api: createApi(http, session), clock, warnings };
}

describe("session", () => {
  it("logs in with the password, form-encoded with client_id=ANDR, once per run", async () => {
    const server = miniBakalari();
    const { session } = setup(server, null);
    expect(await session.accessToken()).toBe("a1");
    expect(await session.accessToken()).toBe("a1");
    expect(server.logins).toEqual({ password: 1, refresh: 0, failed: 0 });
    expect(Object.fromEntries(server.forms[0]!)).toEqual({
      client_id: "ANDR",
      grant_type: "password",
      username: USERNAME,
      password: PASSWORD,
    });
  });

  it("shares one login among parallel first requests", async () => {
    const server = miniBakalari();
    const { session } = setup(server, null);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => session.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(["a1"]));
    expect(server.logins.password).toBe(1);
  });

  it("reuses a cached access token that is still valid, without logging in", async () => {
    const server = miniBakalari();
    const { cache } = memoryCache({ accessToken: "a7", refreshToken: "r7", accessExpiresAt: new Date(T0 + 600_000) });
    const { session } = setup(server, cache);
    expect(await session.accessToken()).toBe("a7");
    expect(server.logins).toEqual({ password: 0, refresh: 0, failed: 0 });
  });

  it("refreshes an expired cached token and keeps the rotated pair", async () => {
    const server = miniBakalari();
    const first = memoryCache();
    await setup(server, first.cache).session.accessToken();
    // The next run, an hour later: the cached access token has expired.
    const clock = { now: T0 + 3_600_000 };
    const { session } = setup(server, first.cache, clock);
    expect(await session.accessToken()).toBe("a2");
    expect(server.forms[1]?.get("grant_type")).toBe("refresh_token");
    expect(server.forms[1]?.get("refresh_token")).toBe("r1");
    expect(server.logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    expect(first.state.stored).toMatchObject({ accessToken: "a2", refreshToken: "r2" });
  });

  it("sets a token aside a safety margin before it expires", async () => {
    expect(safetyMarginMs(3600)).toBe(60_000);
    expect(safetyMarginMs(20)).toBe(5_000);
    const server = miniBakalari({ expiresIn: 3600 });
    const memo = memoryCache();
    await setup(server, memo.cache).session.accessToken();
    expect(memo.state.stored?.accessExpiresAt.getTime()).toBe(T0 + 3_600_000 - 60_000);
    await setup(server, memo.cache, { now: T0 + 3_600_000 - 59_000 }).session.accessToken();
    expect(server.logins.refresh).toBe(1);
  });

  it("falls back to the password when the refresh token was already redeemed", async () => {
    const server = miniBakalari();
    const memo = memoryCache();
    await setup(server, memo.cache).session.accessToken();
    // Someone else redeems r1 first.
    const stale = memo.state.stored!;
    await setup(server, memoryCache({ ...stale, accessExpiresAt: new Date(0) }).cache).session.accessToken();
    const { session } = setup(server, memoryCache({ ...stale, accessExpiresAt: new Date(0) }).cache);
    expect(await session.accessToken()).toBe("a3");
    expect(server.logins).toEqual({ password: 2, refresh: 1, failed: 1 });
  });

  it("passes the cache its warn, so that the cache's trouble reaches the run's warnings", async () => {
    const server = miniBakalari();
    const failing: TokenCache = {
      load: async (warn) => {
        warn({ code: ROSTER_WARNING.tokenCacheFailed, message: "read" });
        return null;
      },
      save: async (_pair, warn) => warn({ code: ROSTER_WARNING.tokenCacheFailed, message: "written" }),
    };
    const { session, warnings } = setup(server, failing);
    expect(await session.accessToken()).toBe("a1");
    expect(warnings.map((w) => w.message)).toEqual(["read", "written"]);
    expect(server.logins.password).toBe(1);
  });

  it("answers a wrong password with BAKALARI_AUTH after exactly one attempt, naming no credential", async () => {
    const server = miniBakalari();
    const { session, http } = setup(server, null, { now: T0 }, "wrong-password");
    const e = await bakalariError(session.accessToken());
    expect(e.code).toBe("BAKALARI_AUTH");
    expect(e.message).toContain("invalid_grant");
    expect(e.message).not.toContain("wrong-password");
    expect(e.message).not.toContain(USERNAME);
    expect(server.logins.failed).toBe(1);
    expect(http.requests()).toBe(1);
  });

  it("fails with BAKALARI_UNAVAILABLE when the login endpoint keeps failing, after retries", async () => {
    const server = miniBakalari({ loginStatus: 503 });
    const { session, http } = setup(server, null);
    const e = await bakalariError(session.accessToken());
    expect(e.code).toBe("BAKALARI_UNAVAILABLE");
    expect(e.endpoint).toBe("/api/login");
    expect(http.requests()).toBe(4);
  });
});

describe("api", () => {
  it("retries a 401 exactly once with a fresh token", async () => {
    const server = miniBakalari({ refuse401: new Set(["a7"]) });
    const { cache } = memoryCache({ accessToken: "a7", refreshToken: "bogus", accessExpiresAt: new Date(T0 + 600_000) });
    const { api } = setup(server, cache);
    expect(JSON.parse(await api.get("/api/3/user"))).toEqual({ UserUID: "u" });
    expect(server.apiTokens).toEqual(["a7", "a1"]);
    // The refresh token "bogus" was refused, so the fresh token came from the password.
    expect(server.logins).toEqual({ password: 1, refresh: 0, failed: 1 });
  });

  it("renews once for many parallel requests that met a 401", async () => {
    const server = miniBakalari({ refuse401: new Set(["a1"]) });
    const { api, session } = setup(server, memoryCache().cache);
    await session.accessToken();
    await Promise.all(Array.from({ length: 10 }, () => api.get("/api/3/user")));
    expect(server.logins).toEqual({ password: 1, refresh: 1, failed: 0 });
    expect(server.apiTokens.filter((t) => t === "a2")).toHaveLength(10);
  });

  it("fails with BAKALARI_AUTH when the fresh token is refused too", async () => {
    const server = miniBakalari({ refuse401: new Set(["a1", "a2"]) });
    const { api } = setup(server, memoryCache().cache);
    const e = await bakalariError(api.get("/api/3/user"));
    expect(e.code).toBe("BAKALARI_AUTH");
    expect(server.apiTokens).toEqual(["a1", "a2"]);
  });
});
