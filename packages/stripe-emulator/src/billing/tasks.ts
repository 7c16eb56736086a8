/** What each scheduled billing task does. */
import type { Emu } from '../emu.ts';
import type { Task, TaskKind, TaskRunner } from './scheduler.ts';
import { attemptPayment, finalizeInvoice } from './invoices.ts';
import { cancelSubscription, expireIncomplete, renew } from './subscription-billing.ts';

export const TASK_RUNNERS: Record<TaskKind, TaskRunner> = {
  renew: (emu: Emu, ref: string, task: Task) => renew(emu, ref, task.at),
  finalize: (emu, ref) => {
    const invoice = emu.store.get('invoice', ref);
    if (invoice?.status !== 'draft') return;
    finalizeInvoice(emu, invoice);
    attemptPayment(emu, invoice);
  },
  retry_payment: (emu, ref) => {
    const invoice = emu.store.get('invoice', ref);
    if (invoice?.status === 'open') attemptPayment(emu, invoice);
  },
  expire_incomplete: (emu, ref) => expireIncomplete(emu, ref),
  cancel_at: (emu, ref) => {
    const sub = emu.store.get('subscription', ref);
    if (sub) cancelSubscription(emu, sub, { invoiceNow: true, reason: 'cancellation_requested' });
  },
};
