// Bounded parallelism with fail-fast: the first failure aborts the others, which stop cleanly, and that first
// failure (not the "interrupted" it caused) is what the caller sees.

export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const inner = new AbortController();
  const onOuter = () => inner.abort(signal.reason);
  signal.addEventListener('abort', onOuter, { once: true });
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let firstError: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !inner.signal.aborted) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, inner.signal);
      } catch (e) {
        firstError ??= { error: e };
        inner.abort(e);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal.removeEventListener('abort', onOuter);
  }
  if (firstError !== null) throw (firstError as { error: unknown }).error;
  if (signal.aborted) throw signal.reason;
  return results;
}
