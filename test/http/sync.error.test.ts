import { sql } from "drizzle-orm";
import { describe, expect } from "vitest";
import { test } from "../support/fixtures";
import { fetchWorker, testBindings } from "../support/worker";
import { auth } from "../reliability/harness";

const it = test.extend(
  "post",
  ({ env }) =>
    (body: BodyInit | undefined, headers: Record<string, string> = { "content-type": "application/json" }) =>
      fetchWorker("/api/sync/bakalari", { method: "POST", body, headers: { ...auth, ...headers } }, env),
);

describe("request errors", () => {
  it.for([
    ["malformed JSON", "{dryRun:", "Malformed JSON"],
    ["an unknown field", JSON.stringify({ dryRun: true, wipe: true }), "wipe"],
    ["a wrong type", JSON.stringify({ dryRun: "yes" }), "dryRun"],
    ["an array", JSON.stringify([true]), "object"],
    ["null", "null", "object"],
  ])("answers 400 to %s, naming the problem", async ([_name, body, mention], { post }) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { success: boolean; code: string; message: string; requestId: string };
    expect(json.success).toBe(false);
    expect(json.code).toMatch(/^BAD_REQUEST$/);
    expect(json.message).toContain(mention);
    expect(json.requestId).toBe(res.headers.get("x-request-id"));
    expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it("answers 400 to a body that is not JSON by its content type", async ({ post }) => {
    const res = await post("dryRun=true", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "UNSUPPORTED_CONTENT_TYPE" });
  });

  it("answers 413 to a body over the limit", async ({ post }) => {
    const res = await post(JSON.stringify({ dryRun: true, pad: "x".repeat(5000) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("answers 409 with the running run's id while another run holds the lease", async ({ db, post }) => {
    const running = crypto.randomUUID();
    await db.db.execute(
      sql`insert into sync_runs (id, trigger, status, lease_expires_at) values (${running}, 'cron', 'running', now() + interval '5 minutes')`,
    );
    try {
      const res = await post(undefined, {});
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ success: false, code: "SYNC_RUNNING", runningRunId: running });
    } finally {
      await db.db.execute(sql`delete from sync_runs where id = ${running}`);
    }
  });

  it("answers 405 with Allow to a wrong method, and 404 to an unknown path", async ({ env }) => {
    const wrong = await fetchWorker("/api/sync/bakalari", { method: "GET", headers: auth }, env);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(await wrong.json()).toMatchObject({ success: false, code: "METHOD_NOT_ALLOWED" });
    const health = await fetchWorker("/health", { method: "DELETE" }, env);
    expect(health.status).toBe(405);
    const unknown = await fetchWorker("/api/nothing", undefined, env);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ success: false, code: "NOT_FOUND" });
  });

  it("answers 400 to a run id that is not a UUID and 404 to an unknown one", async ({ env }) => {
    const bad = await fetchWorker("/api/sync/runs/not-a-uuid", { headers: auth }, env);
    expect(bad.status).toBe(400);
    const unknown = await fetchWorker(`/api/sync/runs/${crypto.randomUUID()}`, { headers: auth }, env);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ success: false, code: "NOT_FOUND" });
  });

  it.for(["limit=0", "limit=101", "limit=abc", "before=123", "other=1"])("answers 400 to the runs query %s", async (query, { env }) => {
    const res = await fetchWorker(`/api/sync/runs?${query}`, { headers: auth }, env);
    expect(res.status).toBe(400);
  });

  it("honours a sane X-Request-Id and replaces anything else", async ({ env }) => {
    const sane = await fetchWorker("/health", { headers: { "x-request-id": "ops-42.a_b:c" } }, env);
    expect(sane.headers.get("x-request-id")).toBe("ops-42.a_b:c");
    for (const insane of ["a b", "x".repeat(65), "<script>", "id;drop", "a\\b"]) {
      const res = await fetchWorker("/health", { headers: { "x-request-id": insane } }, env);
      expect(res.headers.get("x-request-id")).not.toBe(insane);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("answers 500 CONFIG_INVALID naming the variable, never its value", async ({ databaseUrl }) => {
    const res = await fetchWorker(
      "/health",
      undefined,
      testBindings({ DATABASE_URL: databaseUrl, BAKALARI_URL: "http://bakalari.example.cz", SYNC_MAX_DELETE_RATIO: "lots" }),
    );
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe("CONFIG_INVALID");
    expect(body.message).toContain("BAKALARI_URL");
    expect(body.message).toContain("SYNC_MAX_DELETE_RATIO");
    expect(body.message).not.toContain("bakalari.example.cz");
    expect(body.message).not.toContain("lots");
  });
});
