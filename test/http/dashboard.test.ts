import { describe, expect, it } from "vitest";
import { fetchWorker, OPERATOR_TOKEN, testBindings } from "../support/worker";

const getPage = (env = testBindings()) => fetchWorker("/", undefined, env);

/** The CSP header as a map of directive -> sources. */
function directives(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

const openingTags = (html: string, tag: string) => [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, "gi"))].map((m) => m[0]);
const nonceOf = (tag: string) => /\snonce="([^"]*)"/.exec(tag)?.[1];

describe("GET / (the operator dashboard)", () => {
  it("answers 200 HTML with a nonce CSP that lets only its own inline script and style run", async () => {
    const res = await getPage();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/i);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);

    const csp = directives(res.headers.get("content-security-policy"));
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(csp.get("script-src")?.[0] ?? "")?.[1];
    expect(nonce).toBeDefined();
    expect(Object.fromEntries(csp)).toEqual({
      "default-src": ["'none'"],
      "script-src": [`'nonce-${nonce}'`],
      "style-src": [`'nonce-${nonce}'`],
      "connect-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });

    const scripts = openingTags(html, "script");
    const styles = openingTags(html, "style");
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const tag of [...scripts, ...styles]) expect(nonceOf(tag), tag).toBe(nonce);
    // Nothing the CSP would refuse: no script from a src, no inline handlers or style attributes.
    for (const tag of scripts) expect(tag).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(html).not.toMatch(/<[^>]+\sstyle=/i);
    // The script's text must not end its own element early.
    expect(html.match(/<\/script/gi)).toHaveLength(scripts.length);
  });

  it("gives every response a nonce of its own", async () => {
    const [a, b] = await Promise.all([getPage(), getPage()]);
    const csp = (r: Response) => r.headers.get("content-security-policy");
    expect(csp(a)).toMatch(/'nonce-/);
    expect(csp(a)).not.toBe(csp(b));
  });

  it("loads nothing from elsewhere", async () => {
    const html = await (await getPage()).text();
    // The only absolute URL is the SVG namespace, which is a name, never fetched.
    const urls = [...html.matchAll(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>)]*/gi)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
    expect(html).not.toMatch(/\s(?:src|href|action|srcset|poster|data)="\/\//i); // protocol-relative
    expect(html).not.toMatch(/@import|@font-face|url\(\s*['"]?(?!#)/i);
    expect(html).not.toMatch(/<(?:img|iframe|object|embed)\b/i);
    expect(openingTags(html, "link")).toEqual(['<link rel="icon" href="data:,"/>']);
  });

  it("holds no token and no data, and needs neither auth, nor configuration, nor a database", async () => {
    // Without DATABASE_URL every API call fails with CONFIG_INVALID; the page still renders (and shows that).
    const env = testBindings({ DATABASE_URL: undefined });
    const res = await getPage(env);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain(OPERATOR_TOKEN);
    expect(html).not.toContain("test-password");
    expect(html.toLowerCase()).not.toContain("bearer ey"); // no token baked into the script
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("keeps the page's structure accessible: language, labelled token field, live regions, a dialog", async () => {
    const html = await (await getPage()).text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/<label for="token">Operator token<\/label>/);
    expect(html).toMatch(/<input[^>]*id="token"[^>]*type="password"/);
    expect(html).toMatch(/id="message" role="alert"/);
    expect(html).toMatch(/id="outcome" aria-live="polite"/);
    expect(html).toMatch(/<dialog id="confirm" aria-labelledby="confirm-title"/);
    // A submit without the script must not put the token in a URL: POST, and the field has no name.
    expect(html).toMatch(/<form id="token-form" method="post"/);
    expect(openingTags(html, "input").join("")).not.toMatch(/\sname=/);
  });

  it("answers 405 with Allow: GET to other methods", async () => {
    const res = await fetchWorker("/", { method: "POST", body: "token=x" }, testBindings());
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(await res.json()).toMatchObject({ success: false, code: "METHOD_NOT_ALLOWED" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("content-security-policy")).toBeNull();
  });

  it("keeps the CSP to the page: the JSON API does not carry it", async () => {
    const res = await fetchWorker("/api/nothing", undefined, testBindings());
    expect(res.status).toBe(404);
    expect(res.headers.get("content-security-policy")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
