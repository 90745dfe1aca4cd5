/**
 * The public timetable of the fake school: HTML pages without sign-in, as
 * bakalari-api-v3 documents them (moduly/timetable_public.md, priklady/options.html,
 * priklady/day.html), served from the school model.
 *
 *   GET /Timetable/Public                                        the entry page: the three lists, no grid
 *   GET /Timetable/Public/{Permanent|Actual|Next}/{Class|Teacher|Room}/{id}
 *
 * Every page carries `<select id="selectedClass|selectedTeacher|selectedRoom">` with an
 * empty first option and one option per class, teacher ("Surname Name") and room; a grid
 * page has one `.bk-timetable-row` per school day whose cells hold one `.day-item` per
 * lesson, with the lesson's JSON in `data-detail` and the subject's abbreviation in
 * `.middle`. Text is encoded as ASP.NET's WebUtility.HtmlEncode does it (and as the
 * samples show): U+00A0..U+00FF as `&#NNN;`, `& < > " '` as references, everything else
 * raw; the JSON's values are encoded one by one and the JSON goes into a single-quoted
 * attribute.
 *
 * A switch (`/_fake/public-timetable`) turns the timetable off in the ways a school's
 * may be: a redirect to the login page, 404, 500, empty lists, or markup this reader
 * does not know; or lists a class by an id the API would refuse. See README.md
 * ("Public timetable").
 *
 * This module holds the routes and the switch; the pages are public-timetable-pages.ts,
 * their encoding and names public-timetable-text.ts.
 */
import type { HttpBindings } from "@hono/node-server";
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { PublicTimetableMode } from "./control";
import type { FaultInjector } from "./faults";
import type { School } from "./model";
import { loginPage, notFoundPage, renderPublicPage, serverErrorPage, WEEKS, type PageKind, type PageWeek } from "./public-timetable-pages";

export type { PublicTimetableMode };
export const PUBLIC_TIMETABLE_MODES = [
  "on",
  "loginRedirect",
  "notFound",
  "serverError",
  "emptyLists",
  "unrecognised",
  "unusableIds",
] as const satisfies readonly PublicTimetableMode[];

/** The switch, part of the fake's state: a reset turns the timetable back on. */
export class PublicTimetableSwitch {
  mode: PublicTimetableMode = "on";
  reset(): void {
    this.mode = "on";
  }
}

/** What the pages need of the fake's state (server.ts's FakeState fits). */
export type PublicTimetableHost = {
  readonly school: School;
  readonly publicTimetable: PublicTimetableSwitch;
  readonly faults: FaultInjector;
  count(method: string, route: string): void;
};

type Env = { Bindings: HttpBindings };

const KINDS: readonly PageKind[] = ["Class", "Teacher", "Room"];

/** A path of the school's web site this module answers. */
export type SiteRoute =
  | { page: "entry"; key: string }
  | { page: "timetable"; key: string; week: PageWeek; kind: PageKind; id: string }
  | { page: "login"; key: string }
  | { page: "unknown"; key: string };

const HTML_TYPE = "text/html; charset=utf-8";

function exists(school: School, kind: PageKind, id: string): boolean {
  return (kind === "Class" ? school.classes : kind === "Teacher" ? school.teachers : school.rooms).has(id);
}

// ---------------------------------------------------------------------------
// Routes

const canonical = <T extends string>(values: readonly T[], segment: string | undefined): T | undefined =>
  values.find((v) => v.toLowerCase() === segment?.toLowerCase());

/** The route of a path (case-insensitive, as ASP.NET routes; the documentation spells `/timetable/` and `/Timetable/`), or null for other paths. */
export function siteRoute(pathname: string): SiteRoute | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (/^\/login$/i.test(path)) return { page: "login", key: "/login" };
  if (!/^\/timetable(\/|$)/i.test(path)) return null;
  const segments = path.split("/").slice(1);
  if (segments.length === 2 && segments[1]!.toLowerCase() === "public") return { page: "entry", key: "/Timetable/Public" };
  const week = canonical(WEEKS, segments[2]);
  const kind = canonical(KINDS, segments[3]);
  if (segments.length === 5 && segments[1]!.toLowerCase() === "public" && week && kind) {
    let id: string;
    try {
      id = decodeURIComponent(segments[4]!);
    } catch {
      return { page: "unknown", key: pathname };
    }
    return { page: "timetable", key: `/Timetable/Public/${week}/${kind}/:id`, week, kind, id };
  }
  return { page: "unknown", key: pathname };
}

const html = (c: Context, status: number, body: string, headers: Record<string, string> = {}) =>
  c.body(body, status as 200, { "content-type": HTML_TYPE, "cache-control": "private", ...headers });

const modeSchema = z.strictObject({ mode: z.enum(PUBLIC_TIMETABLE_MODES) });

/**
 * Mounts the public timetable (and the login page it may redirect to) on the fake's app,
 * with the request counter and the fault rules in front of it, and its switch under
 * `/_fake/public-timetable`. Call it before the app's other catch-alls.
 */
export function mountPublicTimetable(app: Hono<Env>, host: PublicTimetableHost): void {
  const faults = host.faults.middleware();
  const routeOf = (c: Context) => siteRoute(new URL(c.req.url).pathname);

  app.use("*", async (c, next) => {
    const route = routeOf(c);
    if (!route) return next();
    host.count(c.req.method, route.key);
    return faults(c, next);
  });

  app.all("*", async (c, next) => {
    const route = routeOf(c);
    if (!route) return next();
    const url = new URL(c.req.url);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return html(c, 404, notFoundPage());
    if (route.page === "login") return html(c, 200, loginPage(url.searchParams.get("ReturnUrl") ?? "/"));
    const mode = host.publicTimetable.mode;
    switch (mode) {
      case "loginRedirect":
        return c.body(null, 302, {
          location: `/login?ReturnUrl=${encodeURIComponent(url.pathname + url.search)}`,
          "cache-control": "private",
        });
      case "notFound":
        return html(c, 404, notFoundPage());
      case "serverError":
        return html(c, 500, serverErrorPage());
      default:
        break;
    }
    if (route.page === "entry") return html(c, 200, renderPublicPage(host.school, mode, null));
    if (route.page === "timetable" && exists(host.school, route.kind, route.id)) {
      return html(c, 200, renderPublicPage(host.school, mode, { week: route.week, kind: route.kind, id: route.id }));
    }
    return html(c, 404, notFoundPage());
  });

  app.get("/_fake/public-timetable", (c) => c.json({ mode: host.publicTimetable.mode }));
  app.post("/_fake/public-timetable", async (c) => {
    let raw: unknown;
    try {
      raw = JSON.parse(await c.req.text());
    } catch {
      return c.json({ ok: false, error: "the body is not JSON" }, 400);
    }
    const parsed = modeSchema.safeParse(raw);
    if (!parsed.success) return c.json({ ok: false, error: z.prettifyError(parsed.error) }, 400);
    host.publicTimetable.mode = parsed.data.mode;
    return c.json({ ok: true, mode: parsed.data.mode });
  });
}
