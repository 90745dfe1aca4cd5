/**
 * The WebSocket-to-TCP proxy the Neon driver needs to reach a local Postgres.
 * The driver connects to ws://<proxy>/v1?address=host:port and speaks the
 * Postgres wire protocol over the socket; this pipes those bytes to host:port.
 *
 * Only loopback targets are allowed: this is a local development tool and must
 * never become a way into other hosts.
 *
 * It also serves a small control API used by tests to break connections on purpose:
 *   POST /control/drop-on?match=<text>  close the next connection whose client sends <text>
 *   POST /control/drop-all              close every open connection now
 *   POST /control/reset                 forget armed faults
 *   GET  /control/stats                 { open, total, dropped, statements }
 * (`total` counts connections ever opened; `statements` the statements clients sent: each
 * simple Query and each Execute of the extended protocol, read from the wire.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import net from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { isLoopbackHost } from "../src/config";

export type WsProxy = {
  port: number;
  url: string;
  close(): Promise<void>;
};

const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * Counts the statements a client sends on one connection, by framing its Postgres messages:
 * first the untyped startup packet (after an SSL or GSS encryption request, if any), then
 * typed messages, of which Query ('Q') and Execute ('E') each run one statement.
 */
export function statementCounter(onStatement: () => void): (chunk: Buffer) => void {
  const SSL_REQUEST = 80877103;
  const GSSENC_REQUEST = 80877104;
  let pending: Buffer = Buffer.alloc(0);
  let startup = true;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (startup) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        startup = code === SSL_REQUEST || code === GSSENC_REQUEST; // the startup packet follows those
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      const type = String.fromCharCode(pending[0]!);
      if (type === "Q" || type === "E") onStatement();
      pending = pending.subarray(1 + length);
    }
  };
}

/** Parses `host:port` (IPv6 in brackets) from the address query parameter. */
export function parseTarget(address: string | null): { host: string; port: number } | null {
  if (!address) return null;
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\[\]]+):(\d{1,5})$/.exec(address);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

export async function startWsProxy(options: { port?: number; host?: string } = {}): Promise<WsProxy> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<{ ws: WebSocket; tcp: net.Socket }>();
  let dropMatch: string | null = null;
  let total = 0;
  let dropped = 0;
  let statements = 0;

  const dropPair = (pair: { ws: WebSocket; tcp: net.Socket }) => {
    dropped += 1;
    pair.tcp.destroy();
    pair.ws.terminate();
  };

  const control = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && url.pathname === "/control/drop-on") {
      const match = url.searchParams.get("match");
      if (!match) return reply(400, { error: "match is required" });
      dropMatch = match;
      return reply(200, { armed: match });
    }
    if (req.method === "POST" && url.pathname === "/control/drop-all") {
      const n = sockets.size;
      for (const pair of [...sockets]) dropPair(pair);
      return reply(200, { dropped: n });
    }
    if (req.method === "POST" && url.pathname === "/control/reset") {
      dropMatch = null;
      return reply(200, { reset: true });
    }
    if (req.method === "GET" && url.pathname === "/control/stats") {
      return reply(200, { open: sockets.size, total, dropped, statements });
    }
    reply(404, { error: "not found" });
  };

  const server: Server = createServer(control);
  const wss = new WebSocketServer({ noServer: true });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const target = parseTarget(url.searchParams.get("address"));
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== "/v1" || !target) return refuse(400, "Bad Request");
    if (!isLoopbackHost(target.host)) return refuse(403, "Forbidden");
    wss.handleUpgrade(req, socket, head, (ws) => pipe(ws, target));
  });

  const pipe = (ws: WebSocket, target: { host: string; port: number }) => {
    total += 1;
    const tcp = net.connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    const pair = { ws, tcp };
    sockets.add(pair);
    const pending: Buffer[] = [];
    let connected = false;
    const count = statementCounter(() => {
      statements += 1;
    });
    tcp.on("connect", () => {
      connected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (dropMatch !== null && chunk.includes(dropMatch)) {
        dropMatch = null;
        dropPair(pair);
        return;
      }
      count(chunk);
      if (connected) tcp.write(chunk);
      else pending.push(chunk);
      // PGlite keeps a connection open after Terminate; close it here.
      if (chunk.length >= 5 && chunk.subarray(chunk.length - 5).equals(TERMINATE)) tcp.end();
    });
    tcp.on("data", (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    });
    const close = () => {
      sockets.delete(pair);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    tcp.on("close", close);
    tcp.on("error", close);
    ws.on("close", close);
    ws.on("error", close);
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `${host}:${port}`,
    close: async () => {
      for (const pair of [...sockets]) {
        pair.tcp.destroy();
        pair.ws.terminate();
      }
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
