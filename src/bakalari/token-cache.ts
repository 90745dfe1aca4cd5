/**
 * The Bakaláři token pair, kept between runs in `bakalari_sessions`, encrypted with
 * AES-GCM (key: BAKALARI_TOKEN_KEY, a fresh 12-byte IV per write). The row is keyed by
 * a SHA-256 of base URL and username, so the table holds no username; the key is also
 * the ciphertext's additional data, so a pair cannot be moved to another account's row.
 * A cache that cannot be read or written degrades to a password login, never a crash.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { bakalariSessions } from "../db/schema";
import { ROSTER_WARNING } from "../codes";
import type { RosterWarning } from "./roster";
import { sha256, toHex } from "../digest";

export type TokenPair = {
  accessToken: string;
  refreshToken: string;
  /** When the session stops using the access token (its expiry less a safety margin). */
  accessExpiresAt: Date;
};

/** Trouble with the cache is reported through `warn`, never thrown: the run goes on without it. */
export type TokenCache = {
  load(warn: (warning: RosterWarning) => void): Promise<TokenPair | null>;
  save(pair: TokenPair, warn: (warning: RosterWarning) => void): Promise<void>;
};

export type TokenCacheOptions = {
  db: Db;
  /** Raw AES-256 key bytes (Config.tokenKey). */
  key: Uint8Array;
  baseUrl: string;
  username: string;
};

const sealed = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1) });

export async function accountKey(baseUrl: string, username: string): Promise<string> {
  return toHex(await sha256(`${baseUrl}\n${username}`));
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { db } = options;
  const rowKey = accountKey(options.baseUrl, options.username);
  const cryptoKey = crypto.subtle.importKey("raw", options.key, "AES-GCM", false, ["encrypt", "decrypt"]);
  const failed = (warn: (warning: RosterWarning) => void, what: string) =>
    warn({
      code: ROSTER_WARNING.tokenCacheFailed,
      message: `The Bakaláři token cache could not be ${what} (database error); the run goes on without it`,
    });

  async function load(warn: (warning: RosterWarning) => void): Promise<TokenPair | null> {
    let row: typeof bakalariSessions.$inferSelect | undefined;
    try {
      [row] = await db
        .select()
        .from(bakalariSessions)
        .where(eq(bakalariSessions.accountKey, await rowKey))
        .limit(1);
    } catch {
      failed(warn, "read");
      return null;
    }
    if (!row) return null;
    const pair = await open(row.iv, row.ciphertext);
    if (!pair) {
      warn({
        code: ROSTER_WARNING.tokenCacheUnreadable,
        message:
          "The cached Bakaláři token pair could not be decrypted (was BAKALARI_TOKEN_KEY changed?); it is discarded and the run logs in with the password",
      });
      try {
        await db.delete(bakalariSessions).where(eq(bakalariSessions.accountKey, row.accountKey));
      } catch {
        failed(warn, "cleared");
      }
      return null;
    }
    return { ...pair, accessExpiresAt: row.accessExpiresAt };
  }

  async function open(iv: Uint8Array, ciphertext: Uint8Array): Promise<Omit<TokenPair, "accessExpiresAt"> | null> {
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: new Uint8Array(iv), additionalData: new TextEncoder().encode(await rowKey) },
        await cryptoKey,
        new Uint8Array(ciphertext),
      );
      const parsed = sealed.safeParse(JSON.parse(new TextDecoder().decode(plain)));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async function save(pair: TokenPair, warn: (warning: RosterWarning) => void): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await rowKey;
    const plain = new TextEncoder().encode(JSON.stringify({ accessToken: pair.accessToken, refreshToken: pair.refreshToken }));
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(key) }, await cryptoKey, plain),
    );
    const values = { iv, ciphertext, accessExpiresAt: pair.accessExpiresAt, updatedAt: new Date() };
    try {
      await db
        .insert(bakalariSessions)
        .values({ accountKey: key, ...values })
        .onConflictDoUpdate({ target: bakalariSessions.accountKey, set: values });
    } catch {
      failed(warn, "written");
    }
  }

  return { load, save };
}
