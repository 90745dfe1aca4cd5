import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { parseTarget, startWsProxy, type WsProxy } from "../../dev/ws-proxy";
import { isLoopbackHost } from "../../src/config";

/** Opens a WebSocket through the proxy; resolves with the HTTP status it was refused with, or "open". */
function open(proxy: WsProxy, address: string): Promise<number | "open"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${proxy.url}/v1?address=${encodeURIComponent(address)}`);
    ws.once("open", () => {
      ws.close();
      resolve("open");
    });
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", () => undefined);
  });
}

describe("the WebSocket-to-TCP proxy", () => {
  let proxy: WsProxy;
  beforeAll(async () => {
    proxy = await startWsProxy();
  });
  afterAll(async () => {
    await proxy.close();
  });

  it("refuses every target that is not loopback, before connecting anywhere", async () => {
    // Documentation and private addresses: the proxy must answer 403 without dialling them.
    for (const address of ["192.0.2.10:5432", "10.0.0.1:5432", "[2001:db8::1]:5432", "db.example.com:5432", "127.0.0.1.example.com:5432"]) {
      expect(await open(proxy, address)).toBe(403);
    }
    const stats = (await (await fetch(`http://${proxy.url}/control/stats`)).json()) as { total: number };
    expect(stats.total).toBe(0);
  });

  it("refuses a malformed address with 400", async () => {
    for (const address of ["", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", "a:b:c"]) expect(await open(proxy, address)).toBe(400);
  });

  it("pipes to a loopback Postgres", async () => {
    const port = new URL(inject("adminDatabaseUrl")).port;
    expect(await open(proxy, `127.0.0.1:${port}`)).toBe("open");
    expect(await open(proxy, `localhost:${port}`)).toBe("open");
  });

  it("knows what loopback is", () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("127.255.0.9")).toBe(true);
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("127.0.0.256")).toBe(false);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
    expect(parseTarget("[::1]:5432")).toEqual({ host: "::1", port: 5432 });
  });
});
