/**
 * Operator tokens: the bootstrap OPERATOR_TOKEN secret, and tokens stored as SHA-256
 * hashes in operator_tokens (created, listed and revoked with `npm run token`).
 * Failed attempts are counted per client for the rate limit.
 */
import { and, count, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { authFailures, operatorTokens } from "../db/schema";
import { sha256, toHex } from "../digest";

/** The name a run records when the bootstrap OPERATOR_TOKEN started it. */
export const BOOTSTRAP_OPERATOR = "OPERATOR_TOKEN";

/** 10 or more failed authentications from one client within a minute are refused for a while. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_SECONDS = 60;

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

/** Who a valid token belongs to: the operator name a run records. */
export type Operator = { name: string; tokenId: string | null };

/**
 * Checks a presented token against OPERATOR_TOKEN and the stored hashes. Both
 * comparisons are on SHA-256 digests in constant time; a revoked token is refused.
 */
export async function verifyToken(db: Db, presented: string, bootstrap: string | null): Promise<Operator | null> {
  const digest = await sha256(presented);
  if (bootstrap !== null && digestsEqual(digest, await sha256(bootstrap))) return { name: BOOTSTRAP_OPERATOR, tokenId: null };
  const hash = toHex(digest);
  const [row] = await db
    .select({ id: operatorTokens.id, name: operatorTokens.name, tokenHash: operatorTokens.tokenHash })
    .from(operatorTokens)
    .where(and(eq(operatorTokens.tokenHash, hash), isNull(operatorTokens.revokedAt)))
    .limit(1);
  if (!row || !digestsEqual(digest, fromHex(row.tokenHash))) return null;
  await db.update(operatorTokens).set({ lastUsedAt: sql`now()` }).where(eq(operatorTokens.id, row.id));
  return { name: row.name, tokenId: row.id };
}

/** A client's key for the rate limit: a hash of its address, so no address is stored. */
export async function clientKey(address: string): Promise<string> {
  return toHex(await sha256(`client:${address}`)).slice(0, 32);
}

/** True when the client failed MAX_FAILURES times or more within the window. */
export async function isRateLimited(db: Db, key: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(authFailures)
    .where(and(eq(authFailures.clientKey, key), gt(authFailures.failedAt, sql`now() - ${`${FAILURE_WINDOW_SECONDS} seconds`}::interval`)));
  return (row?.n ?? 0) >= MAX_FAILURES;
}

/** Records a failed attempt, and forgets attempts older than a day. */
export async function recordFailure(db: Db, key: string): Promise<void> {
  await db.insert(authFailures).values({ clientKey: key });
  await db.delete(authFailures).where(lt(authFailures.failedAt, sql`now() - interval '1 day'`));
}

/** A new random token (256 bits, base64url); only its hash is stored. */
export async function createToken(db: Db, name: string): Promise<{ id: string; token: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = `bks_${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  const [row] = await db
    .insert(operatorTokens)
    .values({ name, tokenHash: toHex(await sha256(token)) })
    .returning({ id: operatorTokens.id });
  return { id: row!.id, token };
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
