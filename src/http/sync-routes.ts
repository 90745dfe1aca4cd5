import { zValidator } from "@hono/zod-validator";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import type { Counts } from "../sync/plan";
import { errorFields } from "../sync/issues";
import { runSync, type SyncOutcome } from "../sync/engine";
import { getRun, listRuns } from "../sync/run-records";
import { operatorAuth, type AuthEnv } from "./auth";
import { API_ERROR_STATUS } from "../codes";
import { ApiError, errorBody, methodNotAllowed } from "./errors";
import { repeatedKey } from "./json-keys";

/** The POST body: both fields optional, nothing else. */
export const syncBodySchema = z.strictObject({
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  incremental: z.boolean().optional(),
});

const runsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.uuid().optional(),
});

const runIdSchema = z.object({ id: z.uuid() });

export const MAX_BODY_BYTES = 1024;

type Issue = { path: PropertyKey[]; message: string };
const validationError = (result: { success: boolean; error?: { issues: Issue[] } }) => {
  if (!result.success) {
    const problems = (result.error?.issues ?? []).map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
    throw new ApiError("BAD_REQUEST", `Invalid request: ${problems.join("; ")}`);
  }
};

/**
 * An empty body means {}; a body that is not JSON by its Content-Type is refused
 * (the JSON validator would otherwise skip it silently).
 */
const jsonOrEmptyBody = createMiddleware<AuthEnv>(async (c, next) => {
  const type = c.req.header("content-type");
  const isJson = type !== undefined && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type);
  if (type !== undefined && !isJson) {
    throw new ApiError("UNSUPPORTED_CONTENT_TYPE", "The request body must be JSON (Content-Type: application/json)");
  }
  const text = c.req.raw.body === null ? "" : await c.req.text();
  if (text.trim() === "") {
    // Only {} stays cached: Hono's json() would parse the cached "" text (Malformed JSON).
    c.req.bodyCache = { json: Promise.resolve({}) };
  } else if (!isJson) throw new ApiError("UNSUPPORTED_CONTENT_TYPE", "The request body must be JSON (Content-Type: application/json)");
  else {
    // JSON.parse keeps the last of a repeated key: {"dryRun":true,"dryRun":false} must not mean either.
    const repeated = repeatedKey(text);
    if (repeated !== null)
      throw new ApiError("BAD_REQUEST", `Invalid request: the body repeats the key ${JSON.stringify(repeated.slice(0, 40))}`);
  }
  await next();
});

/** `result` keeps the shape earlier clients know; `counts` is the full picture. */
function legacyResult(c: Counts) {
  return {
    classesCreated: c.classes.created,
    classesUpdated: c.classes.updated,
    usersCreated: c.users.created,
    usersUpdated: c.users.updated,
    subjectsCreated: c.subjects.created,
    subjectsUpdated: c.subjects.updated,
    enrollmentsCreated: c.enrollments.created,
    enrollmentsUpdated: c.enrollments.updated,
  };
}

/** Answers about runs are for the operator only: no browser or proxy may keep them, errors included. */
const noStore = createMiddleware<AuthEnv>(async (c, next) => {
  c.header("Cache-Control", "no-store");
  await next();
  c.res.headers.set("Cache-Control", "no-store");
});

export const syncRoutes = new Hono<AuthEnv>()
  .use("/api/sync/*", noStore)
  .post(
    "/api/sync/bakalari",
    operatorAuth,
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `The request body is over ${MAX_BODY_BYTES} bytes`);
      },
    }),
    jsonOrEmptyBody,
    zValidator("json", syncBodySchema, validationError),
    async (c) => {
      const body = c.req.valid("json");
      const outcome = await runSync(
        { config: c.var.config, log: c.var.log },
        {
          trigger: "manual",
          dryRun: body.dryRun ?? false,
          force: body.force ?? false,
          // An operator's POST reads every roster unless it asks for a cron tick's share.
          incremental: body.incremental ?? false,
          operator: c.var.operator.name,
          requestId: c.var.requestId,
        },
      );
      return respond(c, outcome);
    },
  )
  .get("/api/sync/runs", operatorAuth, zValidator("query", runsQuerySchema, validationError), async (c) => {
    const query = c.req.valid("query");
    const runs = await listRuns(c.var.database().db, query);
    if (runs === null) throw new ApiError("NOT_FOUND", "No run with that id (before)");
    return c.json({ success: true as const, runs, requestId: c.var.requestId });
  })
  .get(
    "/api/sync/runs/:id",
    operatorAuth,
    zValidator("param", runIdSchema, (result) => {
      if (!result.success) throw new ApiError("BAD_REQUEST", "The run id must be a UUID");
    }),
    async (c) => {
      const run = await getRun(c.var.database().db, c.req.valid("param").id);
      if (!run) throw new ApiError("NOT_FOUND", "No run with that id");
      return c.json({ success: true as const, run, requestId: c.var.requestId });
    },
  )
  .all("/api/sync/bakalari", methodNotAllowed("POST"))
  .all("/api/sync/runs", methodNotAllowed("GET"))
  .all("/api/sync/runs/:id", methodNotAllowed("GET"));

function respond(c: Context<AuthEnv>, outcome: SyncOutcome) {
  const requestId = c.var.requestId;
  switch (outcome.status) {
    case "ok":
    case "dry_run": {
      const body = {
        success: true as const,
        runId: outcome.runId,
        status: outcome.status,
        startedAt: outcome.startedAt,
        completedAt: outcome.completedAt,
        durationMs: outcome.durationMs,
        result: legacyResult(outcome.counts),
        counts: outcome.counts,
        coverage: outcome.coverage,
        warnings: outcome.warnings,
        warningCount: outcome.warningCount,
        warningCounts: outcome.warningCounts,
        ...(outcome.status === "dry_run" ? { wouldHold: outcome.wouldHold, holdReasons: outcome.holdReasons } : {}),
        bakalariRequests: outcome.bakalariRequests,
        statements: outcome.statements,
        requestId,
        timestamp: new Date().toISOString(),
      };
      return c.json(body, 200);
    }
    case "held":
      return c.json(
        errorBody(
          c.var.requestId,
          "SAFETY_HOLD",
          "The plan looks like a broken feed and was held; nothing was written. Repeat with force: true to apply it.",
          {
            status: "held",
            runId: outcome.runId,
            counts: outcome.counts,
            coverage: outcome.coverage,
            holdReasons: outcome.holdReasons,
            warnings: outcome.warnings,
            warningCount: outcome.warningCount,
            warningCounts: outcome.warningCounts,
          },
        ),
        API_ERROR_STATUS.SAFETY_HOLD,
      );
    case "running":
      return c.json(
        errorBody(c.var.requestId, "SYNC_RUNNING", "Another run is in progress", { runningRunId: outcome.runningRunId }),
        API_ERROR_STATUS.SYNC_RUNNING,
      );
    case "fail":
      return c.json(
        errorBody(c.var.requestId, outcome.code, outcome.errors[0]?.message ?? "The run failed", {
          status: "fail",
          runId: outcome.runId,
          ...errorFields(outcome.errors),
          coverage: outcome.coverage,
          warningCount: outcome.warningCount,
          warningCounts: outcome.warningCounts,
        }),
        API_ERROR_STATUS[outcome.code],
      );
    case "skipped":
      // Only cron runs are skipped; a manual run is refused with 409 instead.
      throw new Error("unreachable: manual run skipped");
  }
}
