/** Types for scripts/build-web-if-stale.mjs (plain JS so `prestart` needs no TypeScript loader). */
export function webBuildIsStale(): boolean;
export function buildWeb(): void;
/** Builds when stale, one process at a time (a lock in web/.build-lock); others wait and re-check. */
export function buildWebOnce(): void;
