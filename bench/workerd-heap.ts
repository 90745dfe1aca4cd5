/**
 * The Worker's V8 heap inside workerd, through `wrangler dev`'s inspector (the DevTools
 * protocol): `Runtime.getHeapUsage`, asked every SAMPLE_MS (the next once the last has
 * answered) for as long as a tick runs. The isolate answers between the Worker's tasks, never inside one (a JSON.parse, the
 * plan), so the largest answer is the peak at those moments: a lower bound of the true peak,
 * which the bench says. `HeapProfiler.collectGarbage` gets no answer from workerd, so what a
 * full GC would leave is not known here. Nor is a cap: wrangler dev sets none, so V8 lets the
 * heap grow with garbage before it collects, as in Node uncapped.
 */
import { setTimeout as delay } from "node:timers/promises";
import WebSocket from "ws";
import { mb } from "./heap";

/** Often enough to see the heap between most tasks, seldom enough not to slow the Worker down (every message crosses wrangler's proxy). */
const SAMPLE_MS = 5;

export type WorkerdHeap = {
  /** Samples the used heap until stop(); resolves with the largest used heap seen, in MiB, and the count of samples. */
  watch(): { stop(): Promise<{ peakMb: number; samples: number }> };
  close(): Promise<void>;
};

type Message = { id?: number; result?: { usedSize?: number }; error?: { message?: string } };

/** Connects to the Worker's target on `wrangler dev --inspector-port`. */
export async function connectWorkerdHeap(inspectorPort: number): Promise<WorkerdHeap> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error(`bench: wrangler's inspector on port ${inspectorPort} lists no Worker`);
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let nextId = 0;
  const pending = new Map<number, (m: Message) => void>();
  ws.on("message", (data) => {
    const m = JSON.parse(String(data)) as Message;
    if (m.id !== undefined) pending.get(m.id)?.(m);
    if (m.id !== undefined) pending.delete(m.id);
  });
  ws.on("close", () => {
    for (const answer of pending.values()) answer({ error: { message: "the inspector closed" } });
    pending.clear();
  });
  const usedSize = () =>
    new Promise<number>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, (m) =>
        m.result?.usedSize === undefined
          ? reject(new Error(`Runtime.getHeapUsage: ${m.error?.message ?? "no usedSize"}`))
          : resolve(m.result.usedSize),
      );
      ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }));
    });

  return {
    watch() {
      let running = true;
      let peak = 0;
      let samples = 0;
      const loop = (async () => {
        while (running) {
          peak = Math.max(peak, await usedSize());
          samples += 1;
          await delay(SAMPLE_MS);
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
          return { peakMb: mb(peak), samples };
        },
      };
    },
    async close() {
      ws.close();
      await new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once("close", () => resolve())));
    },
  };
}
