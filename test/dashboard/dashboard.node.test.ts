/**
 * The dashboard in a real browser: headless Chromium (test/support/chromium.ts says
 * which one), driven by playwright-core, against the Worker served by `wrangler dev`
 * with a database and a fake Bakaláři school of its own. Screenshots of the main
 * states go to test-artifacts/dashboard/ (not committed).
 *
 * Why not the fake school global setup shares: test files run in parallel, and
 * others set faults on it and reset it while they run; a reset or a dropHalf from
 * here would break them in turn.
 */
import type { SyncRunSummary } from "../../src/sync/run-records";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";
import { fakeControl, type FakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari, type FakeBakalari } from "../../dev/fake-bakalari/server";
import type { Db } from "../../src/db/client";
import { launchChromium } from "../support/chromium";
import { createNodeTestDatabase } from "../support/node-database";
import { startWorker, type DevWorker } from "../support/wrangler-dev";

// Globals of the page, for the functions that Playwright runs there (this project's types have no DOM).
declare const document: {
  activeElement: { id: string; tagName: string; textContent: string | null } | null;
  documentElement: { scrollWidth: number };
};
declare const sessionStorage: { getItem(key: string): string | null };
declare const localStorage: { length: number };
declare function getComputedStyle(element: unknown): { outlineStyle: string; whiteSpace: string; unicodeBidi: string };

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "dashboard");
const TOKEN_KEY = "bakalari-sync.operator-token";
const OPERATOR_TOKEN = `dashboard-${randomBytes(24).toString("hex")}`;
const TYPES = ["classes", "subjects", "users", "enrollments"] as const;

type Shown = Record<(typeof TYPES)[number], Record<"created" | "updated" | "unchanged" | "deactivated" | "reactivated", number>>;

// The node project does not inherit the root's timeouts; a sync through wrangler dev takes seconds.
describe("the operator dashboard in a browser", { timeout: 60_000 }, () => {
  let school: FakeBakalari;
  let fake: FakeControl;
  let databaseUrl: string;
  let worker: DevWorker;
  let browser: Browser;
  let context: BrowserContext;
  /** What went wrong in the page: script errors, CSP refusals, requests leaving the Worker. */
  let problems: string[];

  const inDb = <T>(fn: (db: Db) => Promise<T>) => withNodeDatabase(databaseUrl, fn, inject("wsProxy"));
  const rowCount = async (table: string, where = "true") =>
    inDb(async (db) =>
      Number(((await db.execute(sql.raw(`select count(*) as n from ${table} where ${where}`))).rows[0] as { n: string }).n),
    );

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    school = await startFakeBakalari({ port: 0, size: "small" });
    fake = fakeControl(school.url);

    databaseUrl = await createNodeTestDatabase("dash");

    worker = await startWorker({
      vars: {
        DATABASE_URL: databaseUrl,
        NEON_WS_PROXY: inject("wsProxy"),
        BAKALARI_URL: school.url,
        BAKALARI_USERNAME: "sync-service",
        BAKALARI_PASSWORD: "test-password",
        OPERATOR_TOKEN,
      },
    });
    // Playwright's launch gives the browser a fresh profile (user-data-dir) of its own.
    browser = await launchChromium([
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await school?.close();
  }, 60_000);

  /** A fresh context (no storage, no cookies) at a given viewport, watched for problems. */
  async function newContext(viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
    context = await browser.newContext({ viewport, locale: "en-GB", timezoneId: "Europe/Prague" });
    context.setDefaultTimeout(45_000);
    // Nothing may leave the Worker's origin; a request that tries is refused and reported.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${worker.url}/`)) return route.continue();
      problems.push(`request outside the Worker: ${url}`);
      return route.abort();
    });
    return context;
  }

  async function open(ctx: BrowserContext = context): Promise<Page> {
    const page = await ctx.newPage();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    await page.goto(`${worker.url}/`);
    return page;
  }

  async function signIn(page: Page, token = OPERATOR_TOKEN) {
    await page.getByLabel("Operator token").fill(token);
    await page.getByRole("button", { name: "Continue" }).click();
  }

  /** Waits until the runs are listed (or said to be none). */
  const runsShown = (page: Page) => page.locator("#runs-table:not([hidden]), #runs-empty:not([hidden])").first().waitFor();

  /** Every roster row and ref with its row version: equal before and after means nothing was written. */
  const rosterVersions = () =>
    inDb(async (db) => {
      const rows = (
        await db.execute(sql`
        select string_agg(v, ',' order by v) as v from (
          select 'c' || id::text || xmin::text as v from classes
          union all select 's' || id::text || xmin::text from subjects
          union all select 'u' || id::text || xmin::text from users
          union all select 'e' || id::text || xmin::text from enrollments
          union all select 'r' || type || external_id || xmin::text from external_refs) t`)
      ).rows as { v: string | null }[];
      return rows[0]?.v ?? "";
    });

  /** Every record of the snapshot falls in exactly one of these buckets (DESIGN.md section 3). */
  const listed = (c: Shown[keyof Shown]) => c.created + c.updated + c.unchanged + c.reactivated;

  const apiSync = async (body: Record<string, boolean> = {}) => {
    const res = await fetch(`${worker.url}/api/sync/bakalari`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { status?: string } };
  };

  const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** The counts table of the last outcome, as numbers. */
  const countsShown = (page: Page): Promise<Shown> =>
    page.locator("#outcome table.counts").evaluate((table) => {
      const kinds = [...table.querySelectorAll("thead th")].slice(1).map((th) => th.textContent!.toLowerCase());
      const shown: Record<string, Record<string, number>> = {};
      for (const row of table.querySelectorAll("tbody tr")) {
        const cells = [...row.querySelectorAll("td")].map((td) => Number(td.textContent!.replace(/\D/g, "")));
        shown[row.querySelector("th")!.textContent!] = Object.fromEntries(kinds.map((k, i) => [k, cells[i]!]));
      }
      return shown;
    }) as Promise<Shown>;

  const runsFromApi = async () => {
    const res = await fetch(`${worker.url}/api/sync/runs`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { runs: Pick<SyncRunSummary, "runId" | "status" | "warningCount" | "coverage">[] }).runs;
  };

  // Problems are per test, so that a failure names its own cause.
  beforeEach(() => {
    problems = [];
  });
  afterEach(async () => {
    await context?.close();
    expect(problems).toEqual([]);
  });

  it("asks for the token once, then lists the runs (none yet) with health shown", async () => {
    const page = await open(await newContext());
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.locator("#health", { hasText: "No run yet" }).waitFor();
    await shoot(page, "01-sign-in");

    await signIn(page);
    await page.getByText("No runs yet.").waitFor();
    expect(await page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(false);
    // Focus moves to the controls, so a keyboard user continues from there.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("actions-title");
    // Asked once: a reload keeps the session, the prompt does not come back.
    await page.reload();
    await page.getByRole("button", { name: "Sync now" }).waitFor();
    expect(await page.getByLabel("Operator token").isVisible()).toBe(false);
  });

  it("Preview (dry run) shows what a sync would change and writes nothing", async () => {
    const expected = await fake.expected();
    const before = await rosterVersions();
    const page = await open(await newContext());
    await signIn(page);
    await page.getByRole("button", { name: "Preview (dry run)" }).click();
    await page.getByRole("heading", { name: "Preview (dry run): nothing was written" }).waitFor();

    const shown = await countsShown(page);
    expect(listed(shown.classes)).toBe(expected.classes.length);
    expect(listed(shown.subjects)).toBe(expected.subjects.length);
    expect(listed(shown.users)).toBe(expected.teachers.length + expected.students.length);
    expect(listed(shown.enrollments)).toBe(expected.studentEnrollments.length + expected.teachingAssignments.length);
    expect(await rosterVersions()).toBe(before);

    const row = page.locator("#runs-body tr").first();
    await row.locator(".badge", { hasText: "Dry run" }).waitFor();
    expect(await row.textContent()).toContain("Not applied:");
    await shoot(page, "02-preview");
  });

  it("Sync now shows the counts it applied, and the run appears in the list and the charts", async () => {
    const page = await open(await newContext());
    await signIn(page);
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByRole("heading", { name: "Sync finished: OK" }).waitFor();

    // After a sync every record the source listed is an active row, in one bucket of the counts.
    const shown = await countsShown(page);
    for (const type of TYPES) expect(listed(shown[type]), type).toBe(await rowCount(type, "active"));
    expect(shown.users.created + shown.users.unchanged).toBeGreaterThan(0);

    const [latest] = await runsFromApi();
    // What the run could see, at a glance: "Rosters read for 8 of 8 classes".
    const coverage = latest!.coverage!;
    expect(await page.locator("#outcome .coverage").textContent()).toContain(
      `Rosters read for ${coverage.rosters.classesRead} of ${coverage.rosters.classes} classes`,
    );
    await page.locator(`#runs-body tr[data-run-id="${latest!.runId}"]`).waitFor();
    const first = page.locator("#runs-body tr").first();
    expect(await first.getAttribute("data-run-id")).toBe(latest!.runId);
    expect(await first.locator(".badge").textContent()).toMatch(/\bOK$/);
    if (shown.users.created > 0)
      expect(await first.textContent()).toContain(`users: ${shown.users.created.toLocaleString("en-GB")} created`);
    // Warnings are counted in the row (the dev Worker runs without BAKALARI_TOKEN_KEY, which warns).
    if (latest!.warningCount) expect(await first.textContent()).toMatch(/\d+ warnings?/);

    // Both charts are drawn, with text alternatives.
    const durations = page.getByRole("img", { name: "Run durations" });
    const changes = page.getByRole("img", { name: "Rows changed per applied run" });
    const all = await runsFromApi();
    const applied = all.filter((r) => r.status === "ok").length;
    const finished = all.filter((r) => ["ok", "dry_run", "held", "fail"].includes(r.status)).length;
    expect(await durations.locator("g > rect").count()).toBe(finished); // one bar per finished run
    expect(await changes.locator("desc").textContent()).toContain(applied === 1 ? "1 applied run " : `${applied} applied runs `);
    await shoot(page, "03-sync-now");
  });

  it("a held run shows its counts and reasons, and is applied only after the confirmation", async () => {
    // From a school in step with the fake one, half of which then vanishes.
    await fake.reset({ size: "small" });
    expect((await apiSync()).body.status).toBe("ok");
    const activeBefore = await rowCount("users", "active");
    await fake.change({ op: "dropHalf" });
    const page = await open(await newContext());
    await signIn(page);
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByRole("heading", { name: "Held for review: nothing was written" }).waitFor();

    const held = await countsShown(page);
    expect(held.users.deactivated).toBeGreaterThan(10);
    expect(await page.locator("#hold-reasons li").first().textContent()).toMatch(/^Would deactivate \d+ of \d+ active (users|enrollments)/);
    expect(await rowCount("users", "active")).toBe(activeBefore);
    await page.locator("#runs-body tr").first().locator(".badge", { hasText: "Held" }).waitFor();
    await shoot(page, "04-held");

    // Cancelling writes nothing.
    await page.getByRole("button", { name: "Apply anyway…" }).click();
    const dialog = page.getByRole("dialog", { name: "Apply the held run?" });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("confirm-cancel");
    await shoot(page, "05-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await rowCount("users", "active")).toBe(activeBefore);

    // Confirming applies it, by keyboard this time: focus returned to "Apply anyway…".
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("apply-anyway");
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Apply the changes");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Applied past the hold: OK" }).waitFor();

    const applied = await countsShown(page);
    expect(applied.users.deactivated).toBeGreaterThan(10);
    expect(await rowCount("users", "active")).toBe(activeBefore - applied.users.deactivated);
    const statuses = await page.locator("#runs-body tr").evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute("data-status")));
    expect(statuses).toEqual(["ok", "held"]);
    await shoot(page, "06-applied");
  });

  it("a wrong token shows a clear message and the prompt again, and keeps nothing", async () => {
    const page = await open(await newContext());
    await signIn(page, `wrong-${randomBytes(16).toString("hex")}`);
    const alert = page.getByRole("alert");
    await alert.getByText("The operator token was not accepted").waitFor();
    expect(await alert.textContent()).toContain("enter it again");
    expect(await page.getByLabel("Operator token").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Sync now" }).isVisible()).toBe(false);
    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
    await shoot(page, "07-wrong-token");

    // The right token then works from the same prompt, and the message goes away.
    await signIn(page);
    await runsShown(page);
    expect(await page.locator("#message").textContent()).toBe(""); // the alert is gone
  });

  it("keeps the token in sessionStorage only: never in a URL, a cookie or localStorage", async () => {
    const ctx = await newContext();
    const urls: string[] = [];
    const authorized: string[] = [];
    ctx.on("request", (request) => {
      urls.push(request.url());
      const header = request.headers()["authorization"];
      if (header) authorized.push(`${new URL(request.url()).pathname} ${header}`);
    });
    const page = await open(ctx);
    await signIn(page);
    await runsShown(page);
    // The page's rendering depends on the runs: every row the API has is listed.
    expect(await page.locator("#runs-body tr").count()).toBe((await runsFromApi()).length);

    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBe(OPERATOR_TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await ctx.cookies()).toEqual([]);
    expect(page.url()).toBe(`${worker.url}/`);
    expect(urls.filter((u) => u.includes(OPERATOR_TOKEN))).toEqual([]);
    expect(authorized).toContain(`/api/sync/runs Bearer ${OPERATOR_TOKEN}`);
    expect(await page.content()).not.toContain(OPERATOR_TOKEN);

    // "Forget token" forgets it.
    await page.getByRole("button", { name: "Forget token" }).click();
    await page.getByLabel("Operator token").waitFor();
    expect(await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
  });

  it("is usable by keyboard: the main controls are reached with Tab and work with Enter", async () => {
    const page = await open(await newContext());
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || "");
    const tabTo = async (id: string, limit = 12) => {
      const seen: string[] = [];
      for (let i = 0; i < limit && (await focused()) !== id; i += 1) {
        await page.keyboard.press("Tab");
        seen.push(await focused());
      }
      expect(await focused(), `Tab order: ${seen.join(" → ")}`).toBe(id);
      return seen;
    };

    await page.getByLabel("Operator token").waitFor();
    await tabTo("token");
    await page.keyboard.type(OPERATOR_TOKEN);
    await page.keyboard.press("Enter");
    await runsShown(page);

    const order = await tabTo("sign-out");
    expect(order.slice(0, 4)).toEqual(["sync-now", "preview", "refresh", "sign-out"]);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("preview");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Preview (dry run): nothing was written" }).waitFor();

    // Focus is visible where it lands.
    await tabTo("sync-now", 20);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe("none");
  });

  it.each([
    ["phone", { width: 390, height: 844 }],
    ["desktop", { width: 1280, height: 900 }],
  ])("fits a %s screen without sideways scrolling", async (name, viewport) => {
    const page = await open(await newContext(viewport));
    await signIn(page);
    await runsShown(page);
    await page.getByRole("button", { name: "Preview (dry run)" }).click();
    await page.getByRole("heading", { name: "Preview (dry run): nothing was written" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    // Every button is at least a comfortable touch target.
    const heights = await page.locator("button:visible").evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(40);
    await shoot(page, `08-${name}`);
  });

  it("shows ids and messages from Bakaláři safely: bidi controls escaped, ids isolated, twins told apart", async () => {
    // A run as a hostile feed leaves it (planted: the fake school's ids are plain).
    const runId = crypto.randomUUID();
    const ids = ["U\u202e52", "U  25", "U 25", "U  25\u200b"];
    const warnings = ids.map((id) => ({
      code: "BAKALARI_RECORD_INVALID",
      message: `dropped Students[0] (id ${JSON.stringify(id)}): invalid_type at Name \u202eevil\u202c`,
      externalId: id,
    }));
    const zero = { created: 0, updated: 0, unchanged: 1, deactivated: 0, reactivated: 0 };
    await inDb((db) =>
      db.execute(sql`insert into sync_runs (id, trigger, status, operator, started_at, completed_at, duration_ms, counts, warnings)
        values (${runId}, 'manual', 'ok', ${"ops\u202eadmin"}, now(), now(), 20,
                ${JSON.stringify({ classes: zero, subjects: zero, users: zero, enrollments: zero })}::jsonb, ${JSON.stringify(warnings)}::jsonb)`),
    );
    const page = await open(await newContext());
    await signIn(page);
    const row = page.locator(`#runs-body tr[data-run-id="${runId}"]`);
    await row.waitFor();
    // The list carries the count; the warnings themselves are loaded when opened.
    await row.getByText("4 warnings").click();
    await row.locator(".run-warnings li").nth(3).waitFor();

    const shown = await row.locator("bdi.id").evaluateAll((nodes) =>
      nodes.map((n) => {
        const style = getComputedStyle(n);
        return { text: n.textContent, whiteSpace: style.whiteSpace, unicodeBidi: style.unicodeBidi };
      }),
    );
    expect(shown.map((n) => n.text)).toEqual(["ops\\u202Eadmin", "U\\u202E52", "U··25", "U·25", "U··25\\u200B"]);
    for (const n of shown) expect(n).toMatchObject({ whiteSpace: "pre-wrap", unicodeBidi: "isolate" });
    const text = (await row.textContent())!;
    expect(text).toContain("invalid_type at Name \\u202Eevil\\u202C");
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/);
    await shoot(page, "10-hostile-ids");
  });

  // Last: it leaves this client's failures refused for a minute (a valid token still works).
  it("too many failed sign-ins show a clear message with the wait", async () => {
    // Failures until the limiter refuses (it counts per minute window: at most two windows' worth).
    for (let i = 0; i <= 20; i += 1) {
      const res = await fetch(`${worker.url}/api/sync/runs`, { headers: { authorization: "Bearer not-the-token" } });
      if (res.status === 429) break;
      expect(res.status).toBe(401);
    }
    const page = await open(await newContext());
    await signIn(page, "still-not-the-token");
    const alert = page.getByRole("alert");
    await alert.getByText("Too many failed sign-ins").waitFor();
    expect(await alert.textContent()).toMatch(/Wait \d+ seconds and try again/);
    expect(await page.getByLabel("Operator token").isVisible()).toBe(true);
    await shoot(page, "09-rate-limited");
  });
});
