/**
 * At most `limit` tasks run at once; a key already waiting is queued once and its callers share that wait.
 * The inline meter deliveries use it: one report-usage call per organisation across hundreds of organisations
 * must not start hundreds of lanes at once, each holding a database connection that ingestion needs.
 */
export type KeyedLimiter<T> = (key: string, task: () => Promise<T>) => Promise<T>;

export function keyedLimiter<T>(limit: number): KeyedLimiter<T> {
  let running = 0;
  const waiting = new Map<string, { start: () => Promise<unknown>; result: Promise<T> }>();
  const pump = () => {
    for (const [key, next] of waiting) {
      if (running >= limit) return;
      waiting.delete(key);
      running++;
      void next.start().finally(() => {
        running--;
        pump();
      });
    }
  };
  return (key, task) => {
    const queued = waiting.get(key);
    if (queued) return queued.result;
    let start!: () => Promise<unknown>;
    const result = new Promise<T>((resolve, reject) => {
      start = () => task().then(resolve, reject);
    });
    waiting.set(key, { start, result });
    pump();
    return result;
  };
}
