/**
 * Operator tokens are compared in constant time: as SHA-256 digests, through workerd's
 * crypto.subtle.timingSafeEqual, for the bootstrap OPERATOR_TOKEN and for stored tokens,
 * on the Worker's request path as well as in verifyToken itself. (A stored token's signature
 * is checked by crypto.subtle.verify, which compares in constant time on its own.)
 */
import { afterEach, describe, expect, vi } from "vitest";
import { sha256 } from "../../src/digest";
import { createToken, verifyToken } from "../../src/operators/tokens";
import { test as it } from "../support/fixtures";
import { fetchWorker, OPERATOR_TOKEN, OPERATOR_TOKEN_KEY_BYTES } from "../support/worker";

type SubtleWithTimingSafeEqual = SubtleCrypto & { timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean };
const subtle = crypto.subtle as SubtleWithTimingSafeEqual;
const keys = { bootstrap: OPERATOR_TOKEN, signingKey: OPERATOR_TOKEN_KEY_BYTES };
const bytes = (view: ArrayBufferView) => Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));

describe("timing-safe token comparison", () => {
  afterEach(() => vi.restoreAllMocks());

  it("workerd provides crypto.subtle.timingSafeEqual (so the constant-time path is the one taken)", () => {
    expect(typeof subtle.timingSafeEqual).toBe("function");
  });

  it("compares the bootstrap token as SHA-256 digests with timingSafeEqual, right or wrong", async ({ db }) => {
    const spy = vi.spyOn(subtle, "timingSafeEqual");
    expect(await verifyToken(OPERATOR_TOKEN, keys, () => db.db)).toEqual({ name: "OPERATOR_TOKEN", tokenId: null });
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0]!;
    expect(bytes(a)).toEqual(bytes(await sha256(OPERATOR_TOKEN)));
    expect(bytes(b)).toHaveLength(32);

    spy.mockClear();
    // A wrong token of the same length, differing in the last character only: compared the same way.
    const wrong = `${OPERATOR_TOKEN.slice(0, -1)}X`;
    expect(await verifyToken(wrong, keys, () => db.db)).toBeNull();
    expect(spy).toHaveBeenCalled();
    expect(bytes(spy.mock.calls[0]![0])).toEqual(bytes(await sha256(wrong)));
    expect(spy.mock.results[0]!.value).toBe(false);
  });

  it("compares a stored token's digest with timingSafeEqual after the lookup by hash", async ({ db }) => {
    const { token } = await createToken(db.db, `timing-${crypto.randomUUID()}`, OPERATOR_TOKEN_KEY_BYTES);
    const spy = vi.spyOn(subtle, "timingSafeEqual");
    const operator = await verifyToken(token, keys, () => db.db);
    expect(operator?.tokenId).toEqual(expect.any(String));
    // Once against the bootstrap token (false), once against the stored hash (true).
    expect(spy.mock.results.map((r) => r.value)).toEqual([false, true]);
    for (const [a, b] of spy.mock.calls) {
      expect(bytes(a)).toEqual(bytes(await sha256(token)));
      expect(bytes(b)).toHaveLength(32);
    }
  });

  it("goes through timingSafeEqual on the Worker's request path, for both kinds of token", async ({ env, db }) => {
    const { token } = await createToken(db.db, `request-${crypto.randomUUID()}`, OPERATOR_TOKEN_KEY_BYTES);
    const spy = vi.spyOn(subtle, "timingSafeEqual");
    const asEnv = await fetchWorker("/api/sync/runs", { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } }, env);
    expect(asEnv.status).toBe(200);
    expect(spy.mock.results.map((r) => r.value)).toEqual([true]);
    spy.mockClear();
    const asStored = await fetchWorker("/api/sync/runs", { headers: { authorization: `Bearer ${token}` } }, env);
    expect(asStored.status).toBe(200);
    expect(spy.mock.results.map((r) => r.value)).toEqual([false, true]);
  });
});
