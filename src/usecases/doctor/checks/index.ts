/** Every check, in the order doctor runs and prints them (the catalog before what depends on it). */
import type { Check } from '../types.ts';
import { configCheck } from './config.ts';
import { migrationsCheck, plansCheck, rlsCheck } from './database.ts';
import { portalCheck } from './portal.ts';
import { SCHEDULE_CHECKS } from './schedule.ts';
import { meterCheck, pricesCheck, setupFeeCheck } from './stripe-catalog.ts';
import { usageBacklogCheck } from './usage-backlog.ts';
import { webhookEndpointCheck } from './webhook-endpoint.ts';
import { webhookSecretCheck } from './webhook-secret.ts';
import { webhooksUnprocessedCheck } from './webhooks-unprocessed.ts';

export const ALL_CHECKS: readonly Check[] = [
  configCheck,
  migrationsCheck,
  meterCheck,
  pricesCheck,
  setupFeeCheck,
  plansCheck,
  rlsCheck,
  webhookEndpointCheck,
  webhookSecretCheck,
  portalCheck,
  usageBacklogCheck,
  webhooksUnprocessedCheck,
  ...SCHEDULE_CHECKS,
];
