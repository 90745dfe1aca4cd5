/**
 * The school's OAuth endpoint (`POST /api/login`) and the bearer check of the API.
 *
 * Behaves like Bakaláři's OpenIddict server where a client can tell: a few password
 * accounts (the school's management, a teacher, a student, a parent) that share the
 * school's password, rotating refresh tokens that can be redeemed once, access tokens
 * that expire on the wall clock, and OAuth error bodies (`400 { error, error_description }`).
 */
import { randomBytes } from "node:crypto";
import type { AccountKind, Assumptions, FakeAccount } from "./control";

export const CLIENT_ID = "ANDR";
/** The management account's default name: `npm start` and the tests sign in with it. */
export const DEFAULT_USERNAME = "sync-service";
export const TEACHER_USERNAME = "ucitel";
export const STUDENT_USERNAME = "zak";
export const PARENT_USERNAME = "rodic";
export const DEFAULT_PASSWORD = "test-password";
/** moduly/login.md shows `"expires_in": 3599`, a second short of the hour. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SEC = 3599;
export const DENIED = { Message: "Authorization has been denied for this request." };

/** `UserType` as GET /api/3/user answers it; moduly/user.md shows "parents", public clients the others. */
export const DEFAULT_USER_TYPES: Record<AccountKind, string> = {
  management: "headmastership",
  teacher: "teacher",
  student: "student",
  parent: "parents",
};

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  managementTimetable: "school",
  managementClassbook: "school",
  teacherTimetable: "own",
  teacherClassbook: "own",
};

export type Account = { username: string; kind: AccountKind; userType: string };

export type LoginAnswer = { status: 200 | 400; body: Record<string, unknown> };

const oauthError = (error: string, description: string): LoginAnswer => ({
  status: 400,
  body: { error, error_description: description, error_uri: "https://documentation.openiddict.com/errors/ID2000" },
});

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An opaque token that looks like the real ones (a JWE of five base64url parts), about 1,300 characters. */
function newToken(typ: string): string {
  const header = segment({ alg: "RSA-OAEP", enc: "A256CBC-HS512", kid: "FAKEBAKALARIKEY", typ });
  return [header, randomBytes(256), randomBytes(16), randomBytes(640), randomBytes(64)]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export class OAuthServer {
  accessTokenLifetimeSec = DEFAULT_ACCESS_TOKEN_LIFETIME_SEC;
  readonly logins = { password: 0, refresh: 0, failed: 0 };
  /** What the fake assumes where nothing is documented; a reset (a new server) restores the defaults. */
  assumptions: Assumptions = { ...DEFAULT_ASSUMPTIONS };
  private readonly accounts = new Map<string, Account>();
  /** access token → its expiry (ms since epoch) and account. */
  private readonly accessTokens = new Map<string, { expiresAt: number; username: string }>();
  /** refresh token → whether it has been redeemed, and its account. */
  private readonly refreshTokens = new Map<string, { redeemed: boolean; username: string }>();

  /**
   * `username` names the management account; the others have fixed names, and a
   * management account named like one of them takes its place. `personOf` gives an
   * account's person id (`bak:UserId`), which changes with the school.
   */
  constructor(
    readonly username: string,
    public password: string,
    private readonly personOf: (kind: AccountKind) => string,
  ) {
    const fixed: [string, AccountKind][] = [
      [TEACHER_USERNAME, "teacher"],
      [STUDENT_USERNAME, "student"],
      [PARENT_USERNAME, "parent"],
    ];
    this.accounts.set(username, { username, kind: "management", userType: DEFAULT_USER_TYPES.management });
    for (const [name, kind] of fixed)
      if (!this.accounts.has(name)) this.accounts.set(name, { username: name, kind, userType: DEFAULT_USER_TYPES[kind] });
  }

  list(): FakeAccount[] {
    return [...this.accounts.values()].map((a) => ({ ...a, personId: this.personOf(a.kind) }));
  }

  /** Changes the `UserType` an account reports; null for an unknown account. */
  setUserType(username: string, userType: string): FakeAccount | null {
    const account = this.accounts.get(username);
    if (!account) return null;
    account.userType = userType;
    return { ...account, personId: this.personOf(account.kind) };
  }

  account(username: string): Account | undefined {
    return this.accounts.get(username);
  }

  login(contentType: string | undefined, body: string): LoginAnswer {
    const answer = this.answer(contentType, body);
    if (answer.status !== 200) this.logins.failed += 1;
    return answer;
  }

  /** The account whose live access token an `Authorization` header carries, or null. */
  accountOf(header: string | undefined): Account | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    const token = m ? this.accessTokens.get(m[1]!) : undefined;
    if (!token || Date.now() >= token.expiresAt) return null;
    return this.accounts.get(token.username) ?? null;
  }

  /** Whether an `Authorization` header carries a live access token. */
  authorizes(header: string | undefined): boolean {
    return this.accountOf(header) !== null;
  }

  /** Expires every access token issued so far; returns how many were live. */
  expireAccessTokens(): number {
    let live = 0;
    const now = Date.now();
    for (const token of this.accessTokens.values()) {
      if (token.expiresAt > now) live += 1;
      token.expiresAt = 0;
    }
    return live;
  }

  private answer(contentType: string | undefined, body: string): LoginAnswer {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")) {
      return oauthError("invalid_request", "The specified 'Content-Type' header is invalid.");
    }
    const form = new URLSearchParams(body);
    const clientId = form.get("client_id");
    if (!clientId) return oauthError("invalid_request", "The mandatory 'client_id' parameter is missing.");
    if (clientId !== CLIENT_ID) return oauthError("invalid_client", "The specified 'client_id' is invalid.");
    const grant = form.get("grant_type");
    if (!grant) return oauthError("invalid_request", "The mandatory 'grant_type' parameter is missing.");

    if (grant === "password") {
      const username = form.get("username");
      const password = form.get("password");
      if (!username || !password)
        return oauthError("invalid_request", "The mandatory 'username' and/or 'password' parameters are missing.");
      const account = this.accounts.get(username);
      if (!account || password !== this.password) {
        return oauthError("invalid_grant", "The username/password couple is invalid.");
      }
      this.logins.password += 1;
      return this.issue(account.username);
    }
    if (grant === "refresh_token") {
      const token = form.get("refresh_token");
      if (!token) return oauthError("invalid_request", "The mandatory 'refresh_token' parameter is missing.");
      const held = this.refreshTokens.get(token);
      if (held === undefined) return oauthError("invalid_grant", "The specified refresh token is invalid.");
      if (held.redeemed) return oauthError("invalid_grant", "The refresh token has already been redeemed.");
      held.redeemed = true;
      this.logins.refresh += 1;
      return this.issue(held.username);
    }
    return oauthError("unsupported_grant_type", "The specified 'grant_type' is not supported.");
  }

  private issue(username: string): LoginAnswer {
    const accessToken = newToken("at+jwt");
    const refreshToken = newToken("oi_reft+jwt");
    this.accessTokens.set(accessToken, { expiresAt: Date.now() + this.accessTokenLifetimeSec * 1000, username });
    this.refreshTokens.set(refreshToken, { redeemed: false, username });
    return {
      status: 200,
      body: {
        "bak:ApiVersion": "3.30.0",
        "bak:AppVersion": "1.62.1204.1",
        "bak:UserId": this.personOf(this.accounts.get(username)!.kind),
        access_token: accessToken,
        refresh_token: refreshToken,
        // Lower case, as older API versions answer (moduly/login.md); a client must not care.
        token_type: "bearer",
        expires_in: this.accessTokenLifetimeSec,
        scope: "openid profile offline_access bakalari_api",
      },
    };
  }
}
