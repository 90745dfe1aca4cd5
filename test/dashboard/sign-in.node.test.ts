/**
 * Signing in to the dashboard in a real browser (./browser.ts): the token asked for once,
 * kept in sessionStorage only, refused clearly; and the page used by keyboard.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dashboardInBrowser, OPERATOR_TOKEN, TOKEN_KEY } from "./browser";

// Globals of the page, for the functions that Playwright runs there (this project's types have no DOM).
declare const document: { activeElement: { id: string; tagName: string; textContent: string | null } | null };
declare const sessionStorage: { getItem(key: string): string | null };
declare const localStorage: { length: number };
declare function getComputedStyle(element: unknown): { outlineStyle: string };

// The node project does not inherit the root's timeouts; a sync through wrangler dev takes seconds.
describe("the operator dashboard in a browser: signing in", { timeout: 60_000 }, () => {
  const { workerUrl, newContext, open, signIn, runsShown, shoot, runsFromApi } = dashboardInBrowser();

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
    expect(page.url()).toBe(`${workerUrl()}/`);
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

  // Last: it leaves this client's failures refused for a minute (a valid token still works).
  it("too many failed sign-ins show a clear message with the wait", async () => {
    // Failures until the limiter refuses (it counts per minute window: at most two windows' worth).
    for (let i = 0; i <= 20; i += 1) {
      const res = await fetch(`${workerUrl()}/api/sync/runs`, { headers: { authorization: "Bearer not-the-token" } });
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
