/**
 * Fault injection on the Bakaláři endpoints (`/api/…`, and the public timetable's `/Timetable/…`
 * and `/login`; never `/_fake/…`).
 *
 * Rules are tried in order. A `latency` rule delays the request and lets the next
 * rules and the handler run; any other kind decides the answer. A rule with `times`
 * stops after that many hits.
 */
import type { HttpBindings } from "@hono/node-server";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { ActiveFaultRule, FaultRule } from "./control";

const regex = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, "path must be a regular expression");
const base = { path: regex, times: z.number().int().positive().optional() };

export const faultRuleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...base, kind: z.literal("latency"), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ ...base, kind: z.literal("status"), status: z.number().int().min(200).max(599).optional() }),
  z.strictObject({ ...base, kind: z.literal("rateLimit"), retryAfter: z.number().int().min(0).max(86_400).optional() }),
  z.strictObject({ ...base, kind: z.literal("reset") }),
  z.strictObject({ ...base, kind: z.literal("malformed") }),
  z.strictObject({ ...base, kind: z.literal("truncated") }),
  z.strictObject({ ...base, kind: z.literal("wrongShape") }),
]);

type Rule = { rule: FaultRule; pattern: RegExp; hits: number; remaining: number | null };

const JSON_TYPE = "application/json; charset=utf-8";

function jsonResponse(status: number, body: string, headers: Record<string, string> = {}): Response {
  // Set explicitly so that a cut body still announces its true length.
  const noBody = status === 204 || status === 205 || status === 304;
  return new Response(noBody ? null : body, {
    status,
    headers: { "content-type": JSON_TYPE, ...(noBody ? {} : { "content-length": String(Buffer.byteLength(body)) }), ...headers },
  });
}

/** Every list at any depth cut to half its length (rounded up), so the JSON stays valid but incomplete. */
function truncate(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, Math.ceil(value.length / 2)).map(truncate);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncate(v)]));
  return value;
}

/** Root lists become objects; a root without lists (the login answer) loses its token, or its first text field. */
function misshape(value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return { Message: "wrong shape" };
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const lists = Object.keys(out).filter((k) => Array.isArray(out[k]));
  for (const key of lists) out[key] = { Count: (out[key] as unknown[]).length };
  if (lists.length === 0) {
    const key = "access_token" in out ? "access_token" : Object.keys(out).find((k) => typeof out[k] === "string");
    if (key) delete out[key];
  }
  return out;
}

/** Resolves true after `ms`, or false as soon as the request is aborted. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The body a client gets for the faults that change a real answer. */
function distort(kind: "malformed" | "truncated" | "wrongShape", text: string): string {
  // A strict prefix of a JSON document is never JSON.
  if (kind === "malformed") return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { Message: text };
  }
  return JSON.stringify(kind === "truncated" ? truncate(parsed) : misshape(parsed));
}

export class FaultInjector {
  private rules: Rule[] = [];

  /** Replaces the rules (already validated with `faultRuleSchema`). */
  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, pattern: new RegExp(rule.path), hits: 0, remaining: rule.times ?? null }));
  }

  clear(): number {
    const n = this.rules.length;
    this.rules = [];
    return n;
  }

  list(): ActiveFaultRule[] {
    return this.rules.map((r) => ({ ...r.rule, hits: r.hits, remaining: r.remaining }));
  }

  middleware(): MiddlewareHandler<{ Bindings: HttpBindings }> {
    return async (c, next) => {
      const path = c.req.path;
      let decisive: Exclude<FaultRule, { kind: "latency" }> | undefined;
      for (const r of this.rules) {
        if (r.remaining === 0 || !r.pattern.test(path)) continue;
        r.hits += 1;
        if (r.remaining !== null) r.remaining -= 1;
        const rule = r.rule;
        if (rule.kind === "latency") {
          // A client that gives up (or a server that closes) ends the wait: no timer outlives its request.
          if (!(await wait(rule.ms, c.req.raw.signal))) return new Response(null, { status: 499 });
          continue;
        }
        decisive = rule;
        break;
      }
      if (!decisive) return next();

      switch (decisive.kind) {
        case "status": {
          const status = decisive.status ?? 503;
          return jsonResponse(status, JSON.stringify({ Message: `Injected fault: status ${status}.` }));
        }
        case "rateLimit": {
          const retryAfter = decisive.retryAfter ?? 1;
          return jsonResponse(429, JSON.stringify({ Message: "Too many requests." }), { "retry-after": String(retryAfter) });
        }
        case "reset":
          // No answer at all: the client sees its connection closed.
          c.env.incoming.socket.destroy();
          return new Response(null, { status: 500 });
        default: {
          await next();
          const html = (c.res.headers.get("content-type") ?? "").startsWith("text/html");
          const text = await c.res.text();
          // After next() Hono keeps c.res, not a returned response; clearing it first stops the
          // old headers (Content-Length among them) from being copied onto the replacement.
          c.res = undefined;
          // An HTML page (the public timetable) is cut in half by any of the three: a page that ends mid-markup.
          c.res = html
            ? new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), {
                status: 200,
                headers: { "content-type": "text/html; charset=utf-8" },
              })
            : jsonResponse(200, distort(decisive.kind, text));
          return;
        }
      }
    };
  }
}
