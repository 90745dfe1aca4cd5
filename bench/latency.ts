/**
 * The edge profile's database link: a TCP relay in front of PostgreSQL that holds every
 * chunk of data for `oneWayMs` in each direction, so that a round trip through the bench's
 * WebSocket proxy takes 2 × oneWayMs more (driver → dev/ws-proxy.ts → this relay → Postgres).
 * It runs in bench/run.ts's process, beside the proxy; a profile points its database URLs
 * at the relay's port instead of Postgres's. Order is kept: each direction is one queue.
 *
 * Node's timers have a 1 ms grain and fire late rather than early, so a chunk is released
 * when it is due within TIMER_SLACK_MS; the bench measures the resulting round trip
 * (measureRoundTrip) and reports it, rather than assuming it.
 */
import net from "node:net";
import { Pool } from "@neondatabase/serverless";
import { median } from "./stats";

export type LatencyRelay = { port: number; close(): Promise<void> };

/** A timer asked for d ms fires about d + 0.5 ms later on an idle loop; ask for that much less. */
const TIMER_SLACK_MS = 0.5;

/** Writes chunks to `write` oneWayMs after they were pushed, in order; `end` after the last. */
function delayedQueue(oneWayMs: number, write: (chunk: Buffer) => void, end: () => void) {
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due - TIMER_SLACK_MS <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) end();
      else write(chunk);
    }
    arm();
  };
  const arm = () => {
    if (timer !== null || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.due - TIMER_SLACK_MS - performance.now()));
  };
  return {
    push(chunk: Buffer | null) {
      queue.push({ due: performance.now() + oneWayMs, chunk });
      arm();
    },
    clear() {
      queue.length = 0;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

export async function startLatencyRelay(target: { host: string; port: number }, oneWayMs: number): Promise<LatencyRelay> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    open.add(client);
    open.add(upstream);
    const toServer = delayedQueue(
      oneWayMs,
      (c) => upstream.write(c),
      () => upstream.end(),
    );
    const toClient = delayedQueue(
      oneWayMs,
      (c) => client.write(c),
      () => client.end(),
    );
    client.on("data", (c) => toServer.push(c));
    upstream.on("data", (c) => toClient.push(c));
    client.on("end", () => toServer.push(null));
    upstream.on("end", () => toClient.push(null));
    const close = () => {
      toServer.clear();
      toClient.clear();
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    close: async () => {
      for (const socket of [...open]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The median time of `select 1` over one connection of the Neon driver, in ms. */
export async function measureRoundTrip(url: string, count = 100): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    try {
      const times: number[] = [];
      for (let i = 0; i < count + 10; i++) {
        const t = performance.now();
        await client.query("select 1");
        if (i >= 10) times.push(performance.now() - t);
      }
      return Math.round(median(times) * 100) / 100;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
