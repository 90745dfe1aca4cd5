/**
 * The school's OAuth endpoint (`POST /api/login`) and the bearer check of the API.
 *
 * Behaves like Bakaláři's OpenIddict server where a client can tell: one password
 * account, rotating refresh tokens that can be redeemed once, access tokens that
 * expire on the wall clock, and OAuth error bodies (`400 { error, error_description }`).
 */
import { randomBytes } from "node:crypto";
import { SERVICE_USER_ID } from "./model";

export const CLIENT_ID = "ANDR";
export const DEFAULT_USERNAME = "sync-service";
export const DEFAULT_PASSWORD = "test-password";
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SEC = 3600;
export const DENIED = { Message: "Authorization has been denied for this request." };

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
  /** access token → expiry (ms since epoch). */
  private readonly accessTokens = new Map<string, number>();
  /** refresh token → whether it has been redeemed. */
  private readonly refreshTokens = new Map<string, boolean>();

  constructor(
    readonly username: string,
    public password: string,
  ) {}

  login(contentType: string | undefined, body: string): LoginAnswer {
    const answer = this.answer(contentType, body);
    if (answer.status !== 200) this.logins.failed += 1;
    return answer;
  }

  /** Whether an `Authorization` header carries a live access token. */
  authorizes(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    const expiresAt = m ? this.accessTokens.get(m[1]!) : undefined;
    return expiresAt !== undefined && Date.now() < expiresAt;
  }

  /** Expires every access token issued so far; returns how many were live. */
  expireAccessTokens(): number {
    let live = 0;
    const now = Date.now();
    for (const [token, expiresAt] of this.accessTokens) {
      if (expiresAt > now) live += 1;
      this.accessTokens.set(token, 0);
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
      if (!username || !password) return oauthError("invalid_request", "The mandatory 'username' and/or 'password' parameters are missing.");
      if (username !== this.username || password !== this.password) {
        return oauthError("invalid_grant", "The username/password couple is invalid.");
      }
      this.logins.password += 1;
      return this.issue();
    }
    if (grant === "refresh_token") {
      const token = form.get("refresh_token");
      if (!token) return oauthError("invalid_request", "The mandatory 'refresh_token' parameter is missing.");
      const redeemed = this.refreshTokens.get(token);
      if (redeemed === undefined) return oauthError("invalid_grant", "The specified refresh token is invalid.");
      if (redeemed) return oauthError("invalid_grant", "The refresh token has already been redeemed.");
      this.refreshTokens.set(token, true);
      this.logins.refresh += 1;
      return this.issue();
    }
    return oauthError("unsupported_grant_type", "The specified 'grant_type' is not supported.");
  }

  private issue(): LoginAnswer {
    const accessToken = newToken("at+jwt");
    const refreshToken = newToken("oi_reft+jwt");
    this.accessTokens.set(accessToken, Date.now() + this.accessTokenLifetimeSec * 1000);
    this.refreshTokens.set(refreshToken, false);
    return {
      status: 200,
      body: {
        "bak:ApiVersion": "3.30.0",
        "bak:AppVersion": "1.62.1204.1",
        "bak:UserId": SERVICE_USER_ID,
        access_token: accessToken,
        refresh_token: refreshToken,
        token_type: "Bearer",
        expires_in: this.accessTokenLifetimeSec,
        scope: "openid profile offline_access bakalari_api",
      },
    };
  }
}
