/**
 * The Bakaláři login session: hands out an access token, reusing the cached one while
 * it is valid (a healthy cron must not log in with the password every 15 minutes),
 * refreshing it when it expires, and falling back to a password login when the
 * refresh token is refused (invalid, expired, already redeemed). A refused password
 * login is never retried: repeated wrong passwords could lock the school's account.
 */
import type { HttpClient } from "./http";
import { BakalariError, type RosterWarning } from "./roster";
import { loginErrorCode, parseLogin } from "./schemas";
import type { TokenCache, TokenPair } from "./token-cache";

export const LOGIN_PATH = "/api/login";
const LOGIN_ENDPOINT = `POST ${LOGIN_PATH}`;
/** The client id the Bakaláři mobile app logs in with; the API v3 expects it. */
const CLIENT_ID = "ANDR";

export type SessionOptions = {
  http: HttpClient;
  username: string;
  password: string;
  /** Null when BAKALARI_TOKEN_KEY is unset: nothing is kept between runs. */
  cache: TokenCache | null;
  now: () => Date;
  /** Where the token cache's trouble is reported (the run goes on without the cache). */
  warn: (warning: RosterWarning) => void;
};

export type Session = {
  /** A token to call the API with, logging in or refreshing when needed. */
  accessToken(): Promise<string>;
  /** The API answered 401 to this token: the next accessToken() gets a fresh one. */
  refused(token: string): void;
};

/**
 * A token is set aside a little before it expires, so a request does not carry a
 * token that dies on the way: a minute, or a quarter of a short lifetime.
 */
export function safetyMarginMs(expiresInSec: number): number {
  return Math.min(60_000, (expiresInSec * 1000) / 4);
}

export function createSession(options: SessionOptions): Session {
  const { http, cache, now } = options;
  let current: TokenPair | null = null;
  let cacheLoaded = false;
  // One renewal at a time: parallel requests that all met a 401 share one refresh,
  // which matters because a refresh token can be redeemed only once.
  let pending: Promise<TokenPair> | null = null;
  // Once the password is refused, every later request in this run fails with the same
  // error instead of trying again: a storm of wrong logins could lock the account.
  let refusal: BakalariError | null = null;

  const usable = (pair: TokenPair | null): pair is TokenPair => pair !== null && now().getTime() < pair.accessExpiresAt.getTime();

  async function login(form: Record<string, string>, grant: "password" | "refresh_token"): Promise<TokenPair | null> {
    const issuedAt = now().getTime();
    const res = await http.send({
      method: "POST",
      path: LOGIN_PATH,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ client_id: CLIENT_ID, grant_type: grant, ...form }).toString(),
    });
    if (res.status >= 200 && res.status < 300) {
      const issued = parseLogin(res.body, LOGIN_ENDPOINT);
      return {
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        accessExpiresAt: new Date(issuedAt + issued.expiresInSec * 1000 - safetyMarginMs(issued.expiresInSec)),
      };
    }
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      if (grant === "refresh_token") return null;
      const code = loginErrorCode(res.body) ?? `HTTP ${res.status}`;
      throw new BakalariError(
        "BAKALARI_AUTH",
        `${LOGIN_ENDPOINT} refused the service account's password (${code}); check BAKALARI_USERNAME and BAKALARI_PASSWORD (not retried, to keep the account from being locked)`,
        LOGIN_PATH,
      );
    }
    throw new BakalariError("BAKALARI_UNAVAILABLE", `${LOGIN_ENDPOINT} answered HTTP ${res.status}`, LOGIN_PATH);
  }

  async function keep(pair: TokenPair): Promise<TokenPair> {
    current = pair;
    await cache?.save(pair, options.warn);
    return pair;
  }

  async function renew(): Promise<TokenPair> {
    if (!cacheLoaded) {
      cacheLoaded = true;
      current = (await cache?.load(options.warn)) ?? null;
      if (usable(current)) return current;
    }
    if (current) {
      const refreshed = await login({ refresh_token: current.refreshToken }, "refresh_token");
      if (refreshed) return keep(refreshed);
    }
    const fresh = await login({ username: options.username, password: options.password }, "password");
    // login() throws for a refused password, so fresh is never null here.
    return keep(fresh!);
  }

  return {
    async accessToken() {
      if (refusal) throw refusal;
      if (usable(current)) return current.accessToken;
      pending ??= renew()
        .catch((error: unknown) => {
          if (error instanceof BakalariError && error.code === "BAKALARI_AUTH") refusal = error;
          throw error;
        })
        .finally(() => {
          pending = null;
        });
      return (await pending).accessToken;
    },
    refused(token) {
      // Only the token in use is dropped; a late 401 for an older one changes nothing.
      if (current?.accessToken === token) current = { ...current, accessExpiresAt: new Date(0) };
    },
  };
}
