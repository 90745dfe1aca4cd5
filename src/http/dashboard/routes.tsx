import { Hono } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../context";
import { Dashboard } from "./page";
import { methodNotAllowed } from "../errors";

/**
 * Only the page's own inline script and style run, each carrying this response's
 * nonce; the page reaches nothing but its own origin's API.
 */
const dashboardCsp = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: [NONCE],
    styleSrc: [NONCE],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
});

/**
 * GET /: the operator dashboard. The HTML holds no data and needs no auth: the page
 * asks for the operator token and calls the JSON API with it.
 */
export const dashboardRoutes = new Hono<AppEnv>()
  .get("/", dashboardCsp, (c) => {
    const nonce = c.get("secureHeadersNonce");
    if (!nonce) throw new Error("secureHeaders did not set a nonce");
    // A fresh nonce per response is only worth something if no cache replays the page.
    c.header("Cache-Control", "no-store");
    return c.html(<Dashboard nonce={nonce} />);
  })
  .all("/", methodNotAllowed("GET"));
