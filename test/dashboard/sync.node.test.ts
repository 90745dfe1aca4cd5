/**
 * Syncing from the dashboard in a real browser (./browser.ts): a preview, a sync, a held
 * run applied after the confirmation, the page on a phone, and hostile text shown safely.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dashboardInBrowser, TYPES } from "./browser";

// Globals of the page, for the functions that Playwright runs there (this project's types have no DOM).
declare const document: { activeElement: { id: string; textContent: string | null } | null; documentElement: { scrollWidth: number } };
declare function getComputedStyle(element: unknown): { whiteSpace: string; unicodeBidi: string };

// The node project does not inherit the root's timeouts; a sync through wrangler dev takes seconds.
describe("the operator dashboard in a browser: syncing", { timeout: 60_000 }, () => {
  const { fake, inDb, rowCount, newContext, open, signIn, runsShown, rosterVersions, listed, apiSync, shoot, countsShown, runsFromApi } =
    dashboardInBrowser();

  it("Preview (dry run) shows what a sync would change and writes nothing", async () => {
    const expected = await fake().expected();
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
    await fake().reset({ size: "small" });
    expect((await apiSync()).body.status).toBe("ok");
    const activeBefore = await rowCount("users", "active");
    await fake().change({ op: "dropHalf" });
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
    // The runs list is fetched again after the outcome is shown: wait for the applied run at its top.
    await page.locator('#runs-body tr:first-child[data-status="ok"]').waitFor();
    const statuses = await page.locator("#runs-body tr").evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute("data-status")));
    expect(statuses).toEqual(["ok", "held"]);
    await shoot(page, "06-applied");
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
});
