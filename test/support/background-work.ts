/**
 * Work a test scheduled with `waitUntil` (the inline meter delivery) that may still be running when the test's
 * body returns. The database suites await it before they truncate or close: a delivery still updating
 * `usage_records` while TRUNCATE takes its table locks is a deadlock on PostgreSQL, and the leftover rows then
 * break the next test (seen once in CI).
 */
const running = new Set<Promise<unknown>>();

export function trackBackgroundWork(task: Promise<unknown>): void {
  const settled = task.then(
    () => undefined,
    () => undefined,
  );
  running.add(settled);
  void settled.then(() => running.delete(settled));
}

/** Waits until nothing scheduled by any test in this file is still running. */
export async function settleBackgroundWork(): Promise<void> {
  while (running.size > 0) await Promise.all([...running]);
}
