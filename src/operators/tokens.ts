/**
 * Operator tokens: the bootstrap OPERATOR_TOKEN secret, and stored tokens (created, listed and
 * revoked with `npm run token`), one per person or script.
 *
 * A stored token names its row and is signed with OPERATOR_TOKEN_KEY:
 *
 *   bks_<row id>.<secret: 32 random bytes>.<HMAC-SHA256(key, "bks_<row id>.<secret>")>
 *
 * (base64url), so a junk or forged token is told apart in memory, and only a correctly
 * signed one is looked up (is it revoked? last used when?). The database keeps the token's
 * SHA-256 only, never the token, and the key alone makes no token: a leaked key lets
 * forgeries reach that lookup, where their hash does not match.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { operatorTokens } from "../db/schema";
import { sha256, toHex } from "../digest";

/** The name a run records when the bootstrap OPERATOR_TOKEN started it. */
export const BOOTSTRAP_OPERATOR = "OPERATOR_TOKEN";

const STORED_TOKEN = /^bks_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

/** Who a valid token belongs to: the operator name a run records. */
export type Operator = { name: string; tokenId: string | null };

/** What a token is checked against: both from the configuration. */
export type TokenKeys = {
  /** OPERATOR_TOKEN, or null. */
  bootstrap: string | null;
  /** OPERATOR_TOKEN_KEY's bytes, or null: then no stored token is accepted. */
  signingKey: Uint8Array | null;
};

/**
 * A presented token as told apart in memory, before any I/O: the bootstrap token, a stored
 * token whose signature is right (still to be looked up), or refused. `no_key`: it has the
 * shape of a stored token, but OPERATOR_TOKEN_KEY is unset, so it cannot be checked.
 */
export type PresentedToken =
  | { kind: "bootstrap" }
  | { kind: "signed"; id: string; token: string }
  | { kind: "refused"; reason: "unknown" | "forged" | "no_key" };

const encoder = new TextEncoder();

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const fromBase64Url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** Equal digests, compared in constant time (workerd's crypto.subtle.timingSafeEqual). */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean };
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const hmacKey = (key: Uint8Array, usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [usage]);

/**
 * Tells a presented token apart without I/O: the bootstrap token (compared as SHA-256
 * digests in constant time), a stored token whose signature verifies (crypto.subtle.verify
 * compares in constant time), or refused.
 */
export async function readToken(presented: string, keys: TokenKeys): Promise<PresentedToken> {
  if (keys.bootstrap !== null && digestsEqual(await sha256(presented), await sha256(keys.bootstrap))) return { kind: "bootstrap" };
  const stored = STORED_TOKEN.exec(presented);
  if (!stored) return { kind: "refused", reason: "unknown" };
  if (keys.signingKey === null) return { kind: "refused", reason: "no_key" };
  const [id, secret, mac] = [stored[1]!, stored[2]!, stored[3]!];
  const signed = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(keys.signingKey, "verify"),
    fromBase64Url(mac),
    encoder.encode(`bks_${id}.${secret}`),
  );
  return signed ? { kind: "signed", id, token: presented } : { kind: "refused", reason: "forged" };
}

/**
 * Looks a correctly signed token up: its row must be there, not revoked, and hold the token's
 * hash (compared in constant time). Records its use.
 */
export async function lookUpSignedToken(db: Db, id: string, token: string): Promise<Operator | null> {
  const [row] = await db
    .select({ name: operatorTokens.name, tokenHash: operatorTokens.tokenHash })
    .from(operatorTokens)
    .where(and(eq(operatorTokens.id, id), isNull(operatorTokens.revokedAt)))
    .limit(1);
  if (!row || !digestsEqual(await sha256(token), fromHex(row.tokenHash))) return null;
  await db.update(operatorTokens).set({ lastUsedAt: sql`now()` }).where(eq(operatorTokens.id, id));
  return { name: row.name, tokenId: id };
}

/**
 * The whole check: in memory first, and the database (opened only then, through `db`) for a
 * correctly signed stored token only.
 */
export async function verifyToken(presented: string, keys: TokenKeys, db: () => Db): Promise<Operator | null> {
  const read = await readToken(presented, keys);
  if (read.kind === "bootstrap") return { name: BOOTSTRAP_OPERATOR, tokenId: null };
  if (read.kind === "signed") return lookUpSignedToken(db(), read.id, read.token);
  return null;
}

/** A new stored token under `name`, signed with `signingKey`; only its hash is stored. */
export async function createToken(db: Db, name: string, signingKey: Uint8Array): Promise<{ id: string; token: string }> {
  const id = crypto.randomUUID();
  const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const signed = `bks_${id}.${secret}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(signingKey, "sign"), encoder.encode(signed)));
  const token = `${signed}.${toBase64Url(mac)}`;
  await db.insert(operatorTokens).values({ id, name, tokenHash: toHex(await sha256(token)) });
  return { id, token };
}

export type TokenInfo = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  return db
    .select({
      id: operatorTokens.id,
      name: operatorTokens.name,
      createdAt: operatorTokens.createdAt,
      lastUsedAt: operatorTokens.lastUsedAt,
      revokedAt: operatorTokens.revokedAt,
    })
    .from(operatorTokens)
    .orderBy(operatorTokens.createdAt);
}

/** Revokes the active token of that name; returns false when there is none. */
export async function revokeToken(db: Db, name: string): Promise<boolean> {
  const rows = await db
    .update(operatorTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(operatorTokens.name, name), isNull(operatorTokens.revokedAt)))
    .returning({ id: operatorTokens.id });
  return rows.length > 0;
}
