/**
 * Two adjustments to the sockets of miniflare's Hyperdrive proxy, the workers-hyperdrive
 * project's way to Postgres (vitest.config.ts imports this into the Vitest process).
 * Production's Hyperdrive is not this proxy; only the tests are at stake.
 *
 * 1. TCP_NODELAY on every socket of the process. The proxy pipes its sockets with Nagle's
 *    algorithm on, and over loopback, with delayed ACKs, each node-postgres query then waits
 *    for the kernel: 50 parameterised selects took 1.4 s through it, 52 ms with this (Neon's
 *    driver through our proxy: 36 ms). No socket here is worse off without the delay.
 * 2. An error listener on every socket a server of the process accepts, and on the socket
 *    piped into it. The proxy pipes workerd's connection and Postgres's into each other with
 *    no listener on either, so a connection that one side closes while the other still sends
 *    (EPIPE, "ended by the other party", or ECONNRESET) is an unhandled 'error' event that
 *    kills the whole Vitest process. The listener logs it instead; the test whose query it
 *    was still sees its connection fail. The process's own servers (dev/ws-proxy.ts, the
 *    fake school's) handle their sockets' errors themselves and are not otherwise changed.
 */
import net from "node:net";

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  this.setNoDelay(true);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

const logged = (side: string) => (error: NodeJS.ErrnoException) =>
  console.warn(`test harness: a proxied connection's ${side} socket failed (${error.code ?? error.message}); the proxy closes it`);

const createServer = net.createServer;
net.createServer = ((...args: Parameters<typeof createServer>) =>
  // Before the server's own listener, which pipes at once: the "pipe" listener must be there first.
  createServer(...args).prependListener("connection", (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on("error", logged("accepted"));
    // The socket piped in is also piped into (by the server, first): the pipe's own listener
    // on it rethrows when it is the only one, so it gets ours whatever it has.
    socket.on("pipe", (source: NodeJS.ReadableStream) => {
      if (source instanceof net.Socket) source.on("error", logged("piped"));
    });
  })) as typeof createServer;
