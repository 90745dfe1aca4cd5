/**
 * The fake Bakaláři school: the API v3 endpoints the sync reads, served from the
 * deterministic school model, plus a control API under `/_fake/` for tests and the
 * benchmark. See README.md in this folder for the contract.
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { isLoopbackHost } from "../../src/config";
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, DENIED, OAuthServer } from "./auth";
import { personOf, scopesOf } from "./accounts";
import { parseQueryDate, pragueToday } from "./calendar";
import { applyChange, ChangeError } from "./changes";
import type { ResetOptions, ResetResult, SchoolCounts } from "./control";
import { expectedRoster } from "./expected-roster";
import { FaultInjector, faultRuleSchema } from "./faults";
import { resolveParams, type School } from "./model";
import { FORBIDDEN, SchoolPayloads } from "./payloads";
import { mountPublicTimetable, PublicTimetableSwitch } from "./public-timetable";
import { generateSchool } from "./school-generation";
import { visibleTo } from "./views";

/** The school and the account, as /_fake/reset takes them, plus where to listen. */
export type FakeBakalariOptions = ResetOptions & {
  port?: number;
  /** A loopback address only: the fake answers anyone who can reach it. */
  host?: string;
};

export type FakeBakalari = { url: string; port: number; close(): Promise<void> };

const JSON_TYPE = "application/json; charset=utf-8";
/** The class book answers at most this many days at once. */
export const MAX_CLASSBOOK_DAYS = 62;

type Env = { Bindings: HttpBindings };

const sizeSchema = z.enum(["small", "medium", "large"]);
const count = z.number().int();
const resetSchema = z.strictObject({
  size: sizeSchema.optional(),
  seed: count.optional(),
  classes: count.optional(),
  studentsPerClass: count.optional(),
  teachers: count.optional(),
  subjects: count.optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
});
const changeSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("moveStudent"), studentId: z.string().optional(), toClassId: z.string().optional() }),
  z.strictObject({ op: z.literal("renameSubject"), subjectId: z.string().optional(), name: z.string() }),
  z.strictObject({ op: z.literal("addStudents"), classId: z.string().optional(), count: count.min(1).max(5000) }),
  z.strictObject({ op: z.literal("dropStudents"), count: count.min(1) }),
  z.strictObject({ op: z.literal("dropHalf") }),
  z.strictObject({ op: z.literal("holidays"), on: z.boolean() }),
  z.strictObject({ op: z.literal("churn"), fraction: z.number().gt(0).max(1) }),
  z.strictObject({ op: z.literal("studentInTwoClasses"), studentId: z.string().optional() }),
]);
const authSchema = z.strictObject({
  accessTokenLifetimeSec: count
    .min(1)
    .max(365 * 86_400)
    .optional(),
  expireAccessTokens: z.literal(true).optional(),
  password: z.string().min(1).optional(),
});
const faultsSchema = z.strictObject({ rules: z.array(faultRuleSchema) });
const accountSchema = z.strictObject({ username: z.string(), userType: z.string() });
const assumptionsSchema = z.strictObject({
  managementTimetable: z.enum(["school", "own"]).optional(),
  managementClassbook: z.enum(["school", "own"]).optional(),
  teacherTimetable: z.enum(["own", "school"]).optional(),
  teacherClassbook: z.enum(["own", "school"]).optional(),
});

/** Everything a reset replaces: the school, the account and its tokens, the faults and the counters. */
class FakeState {
  school!: School;
  params!: ResetResult["params"];
  auth!: OAuthServer;
  readonly faults = new FaultInjector();
  readonly payloads = new SchoolPayloads();
  readonly publicTimetable = new PublicTimetableSwitch();
  requests = { total: 0, byEndpoint: {} as Record<string, number> };

  constructor(private readonly start: FakeBakalariOptions) {
    this.reset({});
  }

  /** Options not given come from the start options; a new `size` drops the start's explicit counts. */
  reset(options: ResetOptions): ResetResult {
    const { username, password, ...school } = options;
    const { port: _port, host: _host, username: startUser, password: startPassword, ...startSchool } = this.start;
    const base = school.size !== undefined ? { size: school.size, seed: startSchool.seed } : startSchool;
    const params = resolveParams({ ...base, ...definedOnly(school) });
    this.school = generateSchool(params);
    this.params = params;
    // Every account shares the school's password; `username` names the management account.
    this.auth = new OAuthServer(username ?? startUser ?? DEFAULT_USERNAME, password ?? startPassword ?? DEFAULT_PASSWORD, (kind) =>
      personOf(this.school, kind),
    );
    this.faults.clear();
    this.publicTimetable.reset();
    this.requests = { total: 0, byEndpoint: {} };
    return { ok: true, params, counts: this.counts(), username: this.auth.username };
  }

  counts(): SchoolCounts {
    const expected = expectedRoster(this.school);
    return {
      classes: expected.classes.length,
      groups: this.school.groups.size,
      students: expected.students.length,
      teachers: expected.teachers.length,
      subjects: expected.subjects.length,
      studentEnrollments: expected.studentEnrollments.length,
      teachingAssignments: expected.teachingAssignments.length,
    };
  }

  count(method: string, path: string): void {
    // One key per route, not per lesson.
    const route = path.replace(/^\/api\/3\/lesson\/[^/]+\/absence$/, "/api/3/lesson/:lessonId/absence");
    const key = `${method} ${route}`;
    this.requests.total += 1;
    this.requests.byEndpoint[key] = (this.requests.byEndpoint[key] ?? 0) + 1;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const sendJson = (c: Context, status: number, body: string) => c.body(body, status as 200, { "content-type": JSON_TYPE });

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, response: c.json({ ok: false, error: "the body is not JSON" }, 400) };
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, response: c.json({ ok: false, error: z.prettifyError(parsed.error) }, 400) };
  return { ok: true, value: parsed.data };
}

export function createFakeApp(state: FakeState): Hono<Env> {
  const app = new Hono<Env>();

  // ---- Bakaláři API v3 ----
  app.use("/api/*", async (c, next) => {
    state.count(c.req.method, c.req.path);
    await next();
  });
  app.use("/api/*", state.faults.middleware());

  app.post("/api/login", async (c) => {
    const answer = state.auth.login(c.req.header("content-type"), await c.req.text());
    return c.json(answer.body, answer.status);
  });

  app.use("/api/3/*", async (c, next) => {
    if (!state.auth.authorizes(c.req.header("authorization"))) {
      return c.json(DENIED, 401, { "www-authenticate": "Bearer" });
    }
    await next();
  });

  /** The signed-in account (the check above lets only live tokens through), and what its views cover. */
  const account = (c: Context) => state.auth.accountOf(c.req.header("authorization"))!;
  const scopes = (c: Context) => scopesOf(state.school, account(c).kind, state.auth.assumptions);

  app.get("/api/3/user", (c) => sendJson(c, 200, state.payloads.user(state.school, account(c))));
  app.get("/api/3/timetable/permanent", (c) => sendJson(c, 200, state.payloads.timetable(state.school, scopes(c).timetable)));
  app.get("/api/3/timetable/actual", (c) => {
    const text = c.req.query("date");
    const day = text === undefined ? pragueToday() : parseQueryDate(text);
    if (day === null) {
      const detail = { $type: "String[]", $values: [`The value '${text}' is not valid for Nullable\`1.`] };
      return c.json({ Message: "The request is invalid.", ModelState: { $type: "HttpError", date: detail } }, 400);
    }
    return sendJson(c, 200, state.payloads.actual(state.school, scopes(c).timetable, day));
  });
  app.get("/api/3/classbook", (c) => {
    const scope = scopes(c).classbook;
    if (!scope) return c.json(FORBIDDEN, 403);
    const from = parseQueryDate(c.req.query("from"));
    const to = parseQueryDate(c.req.query("to"));
    if (from === null || to === null) {
      return c.json({ Message: "The request is invalid.", MessageDetail: "from and to must be dates as YYYY-MM-DDTHH:mm:ss.SSS." }, 400);
    }
    if (to < from) return c.json({ Message: "The request is invalid.", MessageDetail: "from must not be after to." }, 400);
    if (to - from + 1 > MAX_CLASSBOOK_DAYS) {
      return c.json({ Message: "The request is invalid.", MessageDetail: `At most ${MAX_CLASSBOOK_DAYS} days at once.` }, 400);
    }
    return sendJson(c, 200, state.payloads.classbook(state.school, scope, from, to));
  });
  app.get("/api/3/lesson/:lessonId/absence", (c) => {
    const answer = state.payloads.absence(state.school, scopes(c).classbook, c.req.param("lessonId"));
    return sendJson(c, answer.status, answer.body);
  });

  // ---- the public timetable (HTML, no sign-in; counted and faulted like /api/…) ----
  mountPublicTimetable(app, state);

  // ---- control API ----
  app.post("/_fake/reset", async (c) => {
    const body = await readBody(c, resetSchema);
    if (!body.ok) return body.response;
    try {
      return c.json(state.reset(body.value));
    } catch (error) {
      return c.json({ ok: false, error: (error as Error).message }, 400);
    }
  });
  app.get("/_fake/expected", (c) =>
    sendJson(
      c,
      200,
      state.payloads.expected(state.school, () => JSON.stringify(expectedRoster(state.school))),
    ),
  );
  app.get("/_fake/stats", (c) => c.json({ requests: state.requests, logins: { ...state.auth.logins } }));
  app.post("/_fake/change", async (c) => {
    const body = await readBody(c, changeSchema);
    if (!body.ok) return body.response;
    try {
      return c.json(applyChange(state.school, body.value));
    } catch (error) {
      if (error instanceof ChangeError) return c.json({ ok: false, error: error.message }, 400);
      throw error;
    }
  });
  app.get("/_fake/faults", (c) => c.json({ rules: state.faults.list() }));
  app.post("/_fake/faults", async (c) => {
    const body = await readBody(c, faultsSchema);
    if (!body.ok) return body.response;
    state.faults.set(body.value.rules);
    return c.json({ ok: true, rules: body.value.rules.length });
  });
  app.delete("/_fake/faults", (c) => c.json({ ok: true, cleared: state.faults.clear() }));
  app.post("/_fake/auth", async (c) => {
    const body = await readBody(c, authSchema);
    if (!body.ok) return body.response;
    const { accessTokenLifetimeSec, expireAccessTokens, password } = body.value;
    if (accessTokenLifetimeSec !== undefined) state.auth.accessTokenLifetimeSec = accessTokenLifetimeSec;
    if (password !== undefined) state.auth.password = password;
    const expired = expireAccessTokens ? state.auth.expireAccessTokens() : 0;
    return c.json({ ok: true, accessTokenLifetimeSec: state.auth.accessTokenLifetimeSec, expired });
  });
  app.get("/_fake/accounts", (c) => c.json({ accounts: state.auth.list() }));
  app.post("/_fake/accounts", async (c) => {
    const body = await readBody(c, accountSchema);
    if (!body.ok) return body.response;
    const account = state.auth.setUserType(body.value.username, body.value.userType);
    if (!account) return c.json({ ok: false, error: `no account ${JSON.stringify(body.value.username)}` }, 400);
    return c.json({ ok: true, account });
  });
  app.get("/_fake/visible", (c) => {
    const account = state.auth.account(c.req.query("username") ?? "");
    if (!account) return c.json({ ok: false, error: "username must name an account (see GET /_fake/accounts)" }, 400);
    return c.json(visibleTo(state.school, scopesOf(state.school, account.kind, state.auth.assumptions)));
  });
  app.get("/_fake/assumptions", (c) => c.json(state.auth.assumptions));
  app.post("/_fake/assumptions", async (c) => {
    const body = await readBody(c, assumptionsSchema);
    if (!body.ok) return body.response;
    state.auth.assumptions = { ...state.auth.assumptions, ...definedOnly(body.value) };
    return c.json({ ok: true, assumptions: state.auth.assumptions });
  });

  app.notFound((c) => c.json({ Message: "No HTTP resource was found that matches the request URI." }, 404));
  app.onError((error, c) => {
    console.error("fake Bakaláři:", error);
    return c.json({ Message: "An error has occurred." }, 500);
  });
  return app;
}

export async function startFakeBakalari(options: FakeBakalariOptions = {}): Promise<FakeBakalari> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host)) throw new Error(`the fake Bakaláři listens on loopback addresses only, not ${host}`);
  const state = new FakeState(options);
  const app = createFakeApp(state);
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would hold close() open until they time out.
        if ("closeAllConnections" in server) server.closeAllConnections();
      })),
  };
}
