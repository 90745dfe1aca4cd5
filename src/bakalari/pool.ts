/** Runs of many requests with a bounded number in flight. */

/**
 * Maps items with at most `workers` calls at a time. The first call that throws stops
 * new calls from starting; once those in flight have finished, its error is thrown.
 */
export async function mapInPool<T, R>(items: T[], workers: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
