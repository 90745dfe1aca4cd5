/**
 * The bench's view of V8's heap: a scenario's peak used heap, GC by GC (v8.GCProfiler) and
 * on a timer, and what a full GC left live.
 */
import { getHeapStatistics, GCProfiler } from "node:v8";

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export const HEAP_SAMPLE_MS = 2;

/** Watches V8's used heap from start() to stop(): GC by GC, on a timer, and when told (sample()). */
export function heapWatch() {
  const profiler = new GCProfiler();
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  };
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      sample();
      profiler.start();
      timer = setInterval(sample, HEAP_SAMPLE_MS);
    },
    sample,
    stop() {
      if (timer) clearInterval(timer);
      sample();
      const gcs = profiler.stop()?.statistics ?? [];
      let afterGc = 0;
      let fullGcs = 0;
      for (const gc of gcs) {
        peak = Math.max(peak, gc.beforeGC.heapStatistics.usedHeapSize);
        // A scavenge leaves the old generation's garbage in place: only a full GC tells what is live.
        if (gc.gcType !== "MarkSweepCompact") continue;
        fullGcs += 1;
        afterGc = Math.max(afterGc, gc.afterGC.heapStatistics.usedHeapSize);
      }
      return { heapMb: mb(peak), heapAfterGcMb: mb(afterGc), gcCount: gcs.length, fullGcCount: fullGcs };
    },
  };
}
