// Stand-in until the fake Bakaláři school lands: answers nothing but 503.
import { createServer } from "node:http";

export type FakeBakalari = { url: string; port: number; close(): Promise<void> };

export async function startFakeBakalari(options: { port?: number } = {}): Promise<FakeBakalari> {
  const server = createServer((_req, res) => {
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ Message: "stand-in" }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
