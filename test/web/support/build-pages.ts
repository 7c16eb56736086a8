/** Builds web/dist when a source changed (the same check `npm start` runs); parallel test files build it once. */
import { buildWebOnce, webBuildIsStale } from '../../../scripts/build-web-if-stale.mjs';

export function ensurePagesBuilt(): void {
  if (webBuildIsStale()) buildWebOnce();
}
