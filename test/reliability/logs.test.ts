/**
 * Log hygiene over a whole faulty day, through the Worker: every console line of a
 * sequence of runs (ok, refreshed token, wrong password, 5xx storm, held, failed apply,
 * dry run, forced, cron ok and skipped, refused tokens) is captured, and none may carry
 * an operator token, the Bakaláři password, an access or refresh token, the token key,
 * the connection string, the service account's name, or a pupil's or teacher's name.
 */
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, vi } from "vitest";
import { createToken } from "../../src/operators/tokens";
import { contentHash } from "../../src/sync/hash";
import { test } from "../support/fixtures";
import { fetchWorker, OPERATOR_TOKEN_KEY, OPERATOR_TOKEN_KEY_BYTES, runScheduled } from "../support/worker";
import { dropOn, fake, postSync, resetWsProxy, TOKEN_KEY, type Json } from "./harness";

const CONSOLE = ["log", "info", "warn", "error", "debug"] as const;
const username = `svc-${crypto.randomUUID()}`;
const password = `Pw-${crypto.randomUUID()}`;

const it = test.extend(
  "bindings",
  { scope: "file" },
  { BAKALARI_TOKEN_KEY: TOKEN_KEY, BAKALARI_USERNAME: username, BAKALARI_PASSWORD: password },
);

describe("no secret and no personal name in any log line of a faulty day", { timeout: 60_000 }, () => {
  const lines: { method: string; args: unknown[] }[] = [];
  /** Bakaláři tokens the fake issued, read off its login answers on their way to the Worker. */
  const issued = new Set<string>();
  const names = new Set<string>();
  let storedToken: string;

  it.beforeAll(async ({ db }) => {
    await fake.reset({ size: "small", seed: 16, username, password });
    storedToken = (await createToken(db.db, "log-hygiene", OPERATOR_TOKEN_KEY_BYTES)).token;

    for (const method of CONSOLE) vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push({ method, args }));
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const res = await realFetch(input, init);
      if (new URL(input instanceof Request ? input.url : String(input)).pathname === "/api/login" && res.status === 200) {
        const body = (await res.clone().json()) as { access_token: string; refresh_token: string };
        issued.add(body.access_token).add(body.refresh_token);
      }
      return res;
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await fake.clearFaults();
    await resetWsProxy();
  });

  const remember = async () => {
    const school = await fake.expected();
    for (const person of [...school.students, ...school.teachers]) names.add(person.name);
  };

  it("runs the day", async ({ env, db }) => {
    const asStored = { authorization: `Bearer ${storedToken}` };
    await remember();
    expect((await postSync(env, undefined, asStored)).status).toBe(200); // a password login
    await fake.auth({ expireAccessTokens: true });
    expect((await postSync(env)).status).toBe(200); // a refresh

    await db.db.execute(sql`delete from bakalari_sessions`);
    const wrong = await postSync({ ...env, BAKALARI_PASSWORD: `${password}-wrong` });
    expect(wrong.body.code).toBe("BAKALARI_AUTH");

    await fake.setFaults([{ path: "^/api/", kind: "status", status: 503 }]);
    expect((await postSync(env)).body.code).toBe("BAKALARI_UNAVAILABLE");
    await fake.clearFaults();

    await fake.change({ op: "dropHalf" });
    expect((await postSync(env)).status).toBe(422);
    expect((await postSync(env, { dryRun: true })).body.wouldHold).toBe(true);
    await expect(runScheduled(env)).rejects.toThrow(/SAFETY_HOLD/);
    expect((await postSync(env, { force: true })).status).toBe(200);

    // A failed apply: the connection drops inside the transaction (on a renamed subject's new hash).
    await fake.reset({ size: "small", seed: 16, username, password });
    await remember();
    const name = `Předmět ${crypto.randomUUID()}`;
    const renamed = await fake.change({ op: "renameSubject", name });
    const abbrev = (await fake.expected()).subjects.find((s) => s.id === renamed.subjectId)!.abbrev;
    const dropped = await dropOn(contentHash([name, abbrev]));
    const failed = await postSync(env, { force: true });
    await dropped();
    expect(failed.body.code).toBe("SYNC_FAILED");

    await fake.change({ op: "addStudents", count: 5 });
    await remember();
    await runScheduled(env); // cron ok
    const running = crypto.randomUUID();
    await db.db.execute(
      sql`insert into sync_runs (id, trigger, status, lease_expires_at) values (${running}, 'manual', 'running', now() + interval '5 minutes')`,
    );
    await runScheduled(env); // cron skipped
    expect((await postSync(env)).status).toBe(409);
    await db.db.execute(sql`delete from sync_runs where id = ${running}`);

    // Refused tokens, including one that is nearly right.
    for (const authorization of [`Bearer ${storedToken}x`, `Bearer ${password}`, "Bearer not-a-token"]) {
      expect((await fetchWorker("/api/sync/runs", { headers: { authorization } }, env)).status).toBe(401);
    }
    expect(issued.size).toBeGreaterThanOrEqual(4); // at least two logins' pairs were seen
  });

  it("logged every event of the day, each as one plain object", () => {
    const events = lines.filter((l) => l.method === "log").map((l) => l.args);
    for (const args of events) {
      expect(args).toHaveLength(1);
      expect(args[0]).toMatchObject({ level: expect.stringMatching(/^(INFO|WARN|ERROR)$/), message: expect.any(String) });
    }
    const messages = new Set(events.map((args) => (args[0] as Json).message));
    for (const m of ["sync_start", "sync_ok", "sync_fail", "sync_held", "sync_dry_run", "sync_skipped"]) expect(messages).toContain(m);
    // What each run could see travels with its outcome (counts and ids only).
    for (const args of events) {
      const e = args[0] as Json;
      if (["sync_ok", "sync_held", "sync_dry_run"].includes(e.message)) {
        expect(e.coverage, e.message).toMatchObject({
          account: { type: expect.any(String) },
          rosters: { classes: expect.any(Number), classesRead: expect.any(Number) },
        });
      }
    }
    const failures = events.filter((args) => (args[0] as Json).message === "sync_fail").map((args) => (args[0] as Json).errors[0].code);
    expect(new Set(failures)).toEqual(new Set(["BAKALARI_AUTH", "BAKALARI_UNAVAILABLE", "SYNC_FAILED"]));
  });

  it("holds no secret, no credential and no personal name in any line", ({ env }) => {
    const text = lines.map((l) => l.args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    expect(text.length).toBeGreaterThan(20);
    const secrets = [
      env.OPERATOR_TOKEN!,
      storedToken,
      password,
      `${password}-wrong`,
      TOKEN_KEY,
      OPERATOR_TOKEN_KEY,
      env.DATABASE_URL!,
      username,
      ...issued,
    ];
    expect(names.size).toBeGreaterThan(200);
    for (const line of text) {
      for (const secret of secrets) expect(line.includes(secret), `a secret in: ${line.slice(0, 200)}`).toBe(false);
      for (const name of names) expect(line.includes(name), `the name ${name} in: ${line.slice(0, 200)}`).toBe(false);
      // Nothing token-like at all: no run of 100 or more base64 characters.
      expect(line).not.toMatch(/[A-Za-z0-9+/_=-]{100,}/);
    }
  });
});
