import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { API_ERROR_STATUS, type ApiErrorCode } from "../codes";
import { ConfigError } from "../config";
import { safeCause } from "../log";
import type { AppEnv } from "./context";

/** An error the API answers with its code, and the status the code has (codes.ts). */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = API_ERROR_STATUS[code];
  }
}

export function errorBody(requestId: string | undefined, code: ApiErrorCode, message: string, extra: Record<string, unknown> = {}) {
  return { success: false as const, code, message, ...extra, requestId: requestId ?? null };
}

/** Every error becomes JSON { success: false, code, message, requestId }; never a stack trace. */
export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return c.json(errorBody(c.get("requestId"), err.code, err.message, err.extra), err.status);
  }
  if (err instanceof ConfigError) {
    c.get("log")?.({ level: "ERROR", message: "config_invalid", requestId: c.get("requestId"), problems: err.problems });
    return c.json(errorBody(c.get("requestId"), err.code, err.message), API_ERROR_STATUS[err.code]);
  }
  if (err instanceof HTTPException) {
    const code = err.status === 413 ? "PAYLOAD_TOO_LARGE" : err.status === 401 ? "UNAUTHORIZED" : "BAD_REQUEST";
    return c.json(errorBody(c.get("requestId"), code, err.message || "Bad request"), API_ERROR_STATUS[code]);
  }
  c.get("log")?.({
    level: "ERROR",
    message: "request_failed",
    requestId: c.get("requestId"),
    error: err.name,
    // SQLSTATE, "timeout", or the error's name and errno: never its message.
    cause: safeCause(err),
  });
  return c.json(
    errorBody(c.get("requestId"), "INTERNAL", "Internal error; see the Worker's logs for this request id"),
    API_ERROR_STATUS.INTERNAL,
  );
}

/** A handler for a known path asked with a method it does not serve. */
export const methodNotAllowed =
  (...allowed: string[]) =>
  () => {
    throw new ApiError("METHOD_NOT_ALLOWED", `Use ${allowed.join(" or ")} on this path`, {}, { Allow: allowed.join(", ") });
  };
