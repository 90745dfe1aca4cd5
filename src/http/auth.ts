import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { BEARER_TOKEN } from "../config";
import { clientKey, countFailure, FAILURE_WINDOW_SECONDS } from "../operators/rate-limit";
import { BOOTSTRAP_OPERATOR, lookUpSignedToken, readToken, type Operator } from "../operators/tokens";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export type AuthEnv = AppEnv & { Variables: AppEnv["Variables"] & { operator: Operator } };

/**
 * The Bearer scheme, in any case (RFC 7235: auth schemes are case-insensitive), then one token
 * of the characters RFC 6750 allows (BEARER_TOKEN); anything else is malformed.
 */
const BEARER = /^bearer +(\S+)$/i;
const MAX_TOKEN_LENGTH = 512;

const unauthorized = (message: string) => new ApiError("UNAUTHORIZED", message, {}, { "WWW-Authenticate": 'Bearer realm="bakalari-sync"' });

/**
 * Operator auth: a Bearer token in the Authorization header only (a token in the query
 * string is never read). The token is checked in memory first: the bootstrap OPERATOR_TOKEN,
 * or a stored token's signature (OPERATOR_TOKEN_KEY). Only a correctly signed stored token
 * reaches the database (revoked? last used), so no header, junk or a forgery is refused
 * without any database work. Each failure is counted per client address at the edge
 * (src/operators/rate-limit.ts): 10 within a minute, and the next failures are 429.
 */
export const operatorAuth = createMiddleware<AuthEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  // No credentials at all: refused before any I/O, and not counted (nothing was guessed).
  if (header === undefined) throw unauthorized("An operator token is required (Authorization: Bearer <token>)");

  const operator = await authenticate(c, header);
  if (!operator) {
    if (await countFailure(c.env.AUTH_FAILURES, clientKey(c.req.header("cf-connecting-ip")))) {
      throw new ApiError(
        "RATE_LIMITED",
        "Too many failed authentications from this client; try again later",
        {},
        {
          "Retry-After": String(FAILURE_WINDOW_SECONDS),
        },
      );
    }
    throw unauthorized("The operator token is not valid");
  }
  c.set("operator", operator);
  await next();
});

async function authenticate(c: Context<AuthEnv>, header: string): Promise<Operator | null> {
  const match = BEARER.exec(header);
  if (!match || match[1]!.length > MAX_TOKEN_LENGTH || !BEARER_TOKEN.test(match[1]!)) return null;
  const config = c.var.config;
  const read = await readToken(match[1]!, { bootstrap: config.operatorToken, signingKey: config.operatorTokenKey });
  switch (read.kind) {
    case "bootstrap":
      return { name: BOOTSTRAP_OPERATOR, tokenId: null };
    case "signed":
      return lookUpSignedToken(c.var.database().db, read.id, read.token);
    case "refused":
      if (read.reason === "no_key") {
        c.var.log({
          level: "WARN",
          message: "operator_token_key_missing",
          requestId: c.var.requestId,
          detail: "a stored operator token was presented, but OPERATOR_TOKEN_KEY is not set: only OPERATOR_TOKEN is accepted",
        });
      }
      return null;
  }
}
