/**
 * The limit on failed operator authentications, kept at the edge by the Workers Rate
 * Limiting binding (wrangler.toml [[ratelimits]] AUTH_FAILURES: 10 per 60 s), never in the
 * database: a refused request costs no database work at all.
 *
 * Only failures are counted (the binding counts calls, and it is called on a failure only),
 * and a valid token is accepted whatever its address's failures: a token is checked in
 * memory first, so nobody's failures can lock an operator out. Guessing is hopeless anyway
 * (a stored token holds 256 random bits and a signature); the limit makes a guesser visible
 * and cheap to refuse.
 */

/** 10 failed authentications from one client within a minute are answered 429. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_SECONDS = 60;

/**
 * The rate limit's key for a client address (CF-Connecting-IP): an IPv4 address as it is, an
 * IPv6 address by its /64 (one subscriber's network: a host can take any address of it),
 * anything else by its text. null for no address: such requests are not limited, since a key
 * shared by all of them would let anyone's failures limit everyone. Cloudflare always sets
 * the header in production; only local calls of the Worker (tests) lack it.
 */
export function clientKey(address: string | undefined): string | null {
  const text = address?.trim().toLowerCase();
  if (!text) return null;
  if (isIPv4(text)) return `ip4:${text}`;
  const groups = ipv6Groups(text);
  if (groups) {
    // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client.
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
      return `ip4:${[groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".")}`;
    }
    return `ip6:${groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(":")}::/64`;
  }
  return `other:${text.slice(0, 100)}`;
}

/**
 * Counts one failure of `key`; true when the client is over the limit (answer 429). Without
 * the binding (a unit test's bare environment) or without a key, nothing is counted.
 */
export async function countFailure(limiter: RateLimit | undefined, key: string | null): Promise<boolean> {
  if (!limiter || key === null) return false;
  const { success } = await limiter.limit({ key });
  return !success;
}

function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** The eight 16-bit groups of an IPv6 address (with ::, an embedded IPv4 tail, a zone), or null. */
function ipv6Groups(address: string): number[] | null {
  let text = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[2]!)) return null;
    const [a, b, c, d] = v4[2]!.split(".").map(Number) as [number, number, number, number];
    text = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (![...head, ...tail].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail].map((g) => parseInt(g, 16));
}
