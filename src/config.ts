import { z } from "zod";

/** The Worker's bindings as Cloudflare hands them over: every value is a string, any may be missing. */
export type Bindings = {
  DATABASE_URL?: string;
  BAKALARI_URL?: string;
  BAKALARI_USERNAME?: string;
  BAKALARI_PASSWORD?: string;
  BAKALARI_TOKEN_KEY?: string;
  OPERATOR_TOKEN?: string;
  NEON_WS_PROXY?: string;
  SYNC_MAX_DELETE_RATIO?: string;
  SYNC_MAX_UPDATE_RATIO?: string;
  BAKALARI_PUBLIC_TIMETABLE?: string;
};

export type Config = {
  databaseUrl: string;
  bakalariUrl: string;
  bakalariUsername: string;
  bakalariPassword: string;
  /** Raw AES-256 key bytes, or null when BAKALARI_TOKEN_KEY is unset (token pair then not cached). */
  tokenKey: Uint8Array | null;
  operatorToken: string | null;
  neonWsProxy: string | null;
  maxDeleteRatio: number;
  maxUpdateRatio: number;
  /** auto: read the school's public timetable when it serves one; off: never. */
  publicTimetable: "auto" | "off";
};

/** A configuration problem. The message names the variable, never its value. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const required = (what: string) =>
  z.preprocess(blankToUndefined, z.string({ error: `is missing (${what})` }));

const optional = z.preprocess(blankToUndefined, z.string().optional());

const ratio = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const n = Number(v);
        if (!/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(v) || !(n >= 0 && n <= 1)) {
          ctx.addIssue({ code: "custom", message: "must be a number from 0 to 1" });
          return z.NEVER;
        }
        return n;
      }),
  );

const schema = z.object({
  DATABASE_URL: required("a postgres:// connection string").refine(
    (v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && parseUrl(v) !== null,
    "must be a postgres:// or postgresql:// URL",
  ),
  BAKALARI_URL: required("the school's Bakaláři base URL")
    .refine((v) => parseUrl(v) !== null, "must be an absolute URL such as https://bakalari.example.cz")
    .refine((v) => {
      const u = parseUrl(v);
      return !u || u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHost(u.hostname));
    }, "must use https (plain http is allowed only for loopback hosts)")
    .refine((v) => {
      const u = parseUrl(v);
      return !u || (!u.username && !u.password && !u.search && !u.hash);
    }, "must not carry credentials, a query or a fragment")
    .refine((v) => !/\/api\/?$/.test(parseUrl(v)?.pathname ?? ""), "must not end in /api (give the base URL)"),
  BAKALARI_USERNAME: required("the Bakaláři service account"),
  BAKALARI_PASSWORD: required("the Bakaláři service account's password"),
  BAKALARI_TOKEN_KEY: optional.transform((v, ctx) => {
    if (v === undefined) return null;
    const bytes = decodeBase64(v.trim());
    if (!bytes || bytes.length !== 32) {
      ctx.addIssue({ code: "custom", message: "must be base64 of exactly 32 bytes" });
      return z.NEVER;
    }
    return bytes;
  }),
  OPERATOR_TOKEN: optional.refine((v) => v === undefined || v.length >= 32, "must be at least 32 characters"),
  NEON_WS_PROXY: optional.refine(
    (v) => v === undefined || /^[A-Za-z0-9.\-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(v),
    "must be host:port",
  ),
  SYNC_MAX_DELETE_RATIO: ratio(0.1),
  SYNC_MAX_UPDATE_RATIO: ratio(0.75),
  BAKALARI_PUBLIC_TIMETABLE: z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim().toLowerCase()) : v),
    z.enum(["auto", "off"], { error: "must be auto or off" }).default("auto"),
  ),
});

function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Parses the bindings once per invocation. Throws ConfigError naming each bad variable. */
export function parseConfig(env: Bindings): Config {
  const parsed = schema.safeParse({ ...env });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "config")} ${issue.message}`);
    throw new ConfigError([...new Set(problems)]);
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    bakalariUrl: c.BAKALARI_URL.replace(/\/+$/, ""),
    bakalariUsername: c.BAKALARI_USERNAME,
    bakalariPassword: c.BAKALARI_PASSWORD,
    tokenKey: c.BAKALARI_TOKEN_KEY,
    operatorToken: c.OPERATOR_TOKEN ?? null,
    neonWsProxy: c.NEON_WS_PROXY ?? null,
    maxDeleteRatio: c.SYNC_MAX_DELETE_RATIO,
    maxUpdateRatio: c.SYNC_MAX_UPDATE_RATIO,
    publicTimetable: c.BAKALARI_PUBLIC_TIMETABLE,
  };
}
