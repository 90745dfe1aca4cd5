import { createMiddleware } from "hono/factory";
import { clientKey, isRateLimited, recordFailure, verifyToken, FAILURE_WINDOW_SECONDS, type Operator } from "../operators/tokens";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

export type AuthEnv = AppEnv & { Variables: AppEnv["Variables"] & { operator: Operator } };

/** Printable ASCII without spaces, as RFC 6750 allows; anything else is malformed. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

const unauthorized = (message: string) =>
  new ApiError(401, "UNAUTHORIZED", message, {}, { "WWW-Authenticate": 'Bearer realm="bakalari-sync"' });

/**
 * Operator auth: a Bearer token in the Authorization header only (a token in the
 * query string is never read). A client (by its address, as Cloudflare reports it)
 * with 10 or more failures within a minute is refused with 429 before its token is
 * even checked, so guessing cannot go on; other clients are not affected.
 */
export const operatorAuth = createMiddleware<AuthEnv>(async (c, next) => {
  const db = c.var.database().db;
  const key = await clientKey(c.req.header("cf-connecting-ip") ?? "unknown");
  if (await isRateLimited(db, key)) {
    throw new ApiError(429, "RATE_LIMITED", "Too many failed authentications from this client; try again later", {}, {
      "Retry-After": String(FAILURE_WINDOW_SECONDS),
    });
  }
  const header = c.req.header("authorization");
  const match = header ? BEARER.exec(header) : null;
  const operator = match && match[1]!.length <= 512 ? await verifyToken(db, match[1]!, c.var.config.operatorToken) : null;
  if (!operator) {
    await recordFailure(db, key);
    throw unauthorized(header ? "The operator token is not valid" : "An operator token is required (Authorization: Bearer <token>)");
  }
  c.set("operator", operator);
  await next();
});
