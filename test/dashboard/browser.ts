/**
 * The dashboard in a real browser, for the files of this folder: headless Chromium
 * (test/support/chromium.ts says which one), driven by playwright-core, against the Worker
 * served by `wrangler dev` (which builds the dashboard's script, wrangler.toml [build]) with
 * a database and a fake Bakaláři school of its own. Screenshots of the main states go to
 * test-artifacts/dashboard/ (not committed).
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
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from "vitest";
import { withNodeDatabase } from "../../cli/node-database";
import { fakeControl, type FakeControl } from "../../dev/fake-bakalari/control";
import { startFakeBakalari, type FakeBakalari } from "../../dev/fake-bakalari/server";
import type { Db } from "../../src/db/client";
import { launchChromium } from "../support/chromium";
import { createNodeTestDatabase } from "../support/node-database";
import { startWorker, type DevWorker } from "../../dev/wrangler-dev";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts", "dashboard");
export const TOKEN_KEY = "bakalari-sync.operator-token";
export const OPERATOR_TOKEN = `dashboard-${randomBytes(24).toString("hex")}`;
export const TYPES = ["classes", "subjects", "users", "enrollments"] as const;

export type Shown = Record<(typeof TYPES)[number], Record<"created" | "updated" | "unchanged" | "deactivated" | "reactivated", number>>;

/**
 * Starts the school, database, Worker and browser before the enclosing describe's tests and
 * stops them after; each test gets a fresh context, and fails if the page had a problem.
 * Call it inside describe(): the hooks belong to that block.
 */
export function dashboardInBrowser() {
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

  return {
    /** The Worker's address: http://127.0.0.1:port. */
    workerUrl: () => worker.url,
    /** The fake school's control API. */
    fake: () => fake,
    inDb,
    rowCount,
    newContext,
    open,
    signIn,
    runsShown,
    rosterVersions,
    listed,
    apiSync,
    shoot,
    countsShown,
    runsFromApi,
  };
}
