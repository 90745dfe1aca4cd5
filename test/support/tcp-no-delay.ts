/**
 * TCP_NODELAY on every socket of the Vitest process (vitest.config.ts imports this). miniflare's
 * Hyperdrive proxy, the workers-hyperdrive project's way to Postgres, pipes its sockets with
 * Nagle's algorithm on, and over loopback, with delayed ACKs, each node-postgres query then
 * waits for the kernel: 50 parameterised selects took 1.4 s through it, 52 ms with this (Neon's
 * driver through our proxy: 36 ms). Production's Hyperdrive is not this proxy; only the tests'
 * time is at stake, and no socket here is worse off without the delay.
 */
import net from "node:net";

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  this.setNoDelay(true);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

const createServer = net.createServer;
net.createServer = ((...args: Parameters<typeof createServer>) =>
  createServer(...args).on("connection", (socket: net.Socket) => socket.setNoDelay(true))) as typeof createServer;
