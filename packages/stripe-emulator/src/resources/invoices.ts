/** Invoices (docs.stripe.com/api/invoices): retrieve, list, lines, pay, finalize, void, and upcoming-free manual invoices. */
import type { Emu } from '../emu.ts';
import { cardDeclined, invalidRequest } from '../errors.ts';
import { allowOnly, bool, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { attemptPayment, finalizeInvoice, markPaid, voidInvoice } from '../billing/invoices.ts';
import { linesOf } from '../billing/lines.ts';
import { paymentMethodFromToken } from './payment-methods.ts';

export function getInvoice(emu: Emu, id: string): Obj {
  return emu.store.require('invoice', id);
}

export const invoiceRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/invoices/:id', api: (req, emu) => getInvoice(emu, req.path_params.id as string) },
  {
    method: 'GET',
    pattern: '/v1/invoices/:id/lines',
    api: (req, emu) => linesOf(emu, getInvoice(emu, req.path_params.id as string).id),
  },
  {
    method: 'GET',
    pattern: '/v1/invoices',
    api: (req, emu) => {
      const q = req.params;
      return emu.store
        .all('invoice')
        .filter(
          (i) =>
            (q.customer === undefined || i.customer === q.customer) &&
            (q.subscription === undefined || i.parent?.subscription_details?.subscription === q.subscription) &&
            (q.status === undefined || i.status === q.status),
        );
    },
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id/finalize',
    api: (req, emu) => {
      allowOnly(req.params, ['auto_advance']);
      const inv = getInvoice(emu, req.path_params.id as string);
      if (inv.status !== 'draft')
        throw invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`);
      emu.scheduler.cancel('finalize', inv.id);
      finalizeInvoice(emu, inv);
      if (bool(req.params.auto_advance, 'auto_advance') !== false && inv.collection_method === 'charge_automatically')
        attemptPayment(emu, inv);
      return inv;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id/pay',
    api: (req, emu) => {
      allowOnly(req.params, ['payment_method', 'paid_out_of_band', 'off_session', 'forgive']);
      const inv = getInvoice(emu, req.path_params.id as string);
      if (inv.status === 'paid') throw invalidRequest('Invoice is already paid.');
      if (inv.status === 'void') throw invalidRequest('You cannot pay a void invoice.');
      if (inv.status === 'draft') {
        emu.scheduler.cancel('finalize', inv.id);
        finalizeInvoice(emu, inv);
      }
      const pmRaw = str(req.params, 'payment_method');
      const pm = pmRaw ? paymentMethodFromToken(emu, pmRaw, inv.customer).id : undefined;
      if (bool(req.params.paid_out_of_band, 'paid_out_of_band')) {
        markPaid(emu, inv, emu.nowFor(inv.customer));
        return inv;
      }
      const ok = attemptPayment(emu, inv, { paymentMethod: pm });
      if (!ok) throw cardDeclined();
      return inv;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id/void',
    api: (req, emu) => {
      const inv = getInvoice(emu, req.path_params.id as string);
      if (inv.status !== 'open') throw invalidRequest(`You can only void an open invoice; this one is ${inv.status}.`);
      voidInvoice(emu, inv);
      return inv;
    },
  },
  {
    method: 'POST',
    pattern: '/v1/invoices/:id',
    api: (req, emu) => {
      allowOnly(req.params, ['metadata', 'description', 'auto_advance', 'footer']);
      const inv = getInvoice(emu, req.path_params.id as string);
      if (req.params.metadata !== undefined) inv.metadata = { ...inv.metadata, ...(req.params.metadata as Obj) };
      if (req.params.description !== undefined) inv.description = str(req.params, 'description') || null;
      emu.store.changed();
      emu.emit('invoice.updated', inv);
      return inv;
    },
  },
];
