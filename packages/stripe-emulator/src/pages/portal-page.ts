/**
 * Billing portal sessions (docs.stripe.com/api/customer_portal/sessions) and a small portal page where the
 * customer sees their subscriptions and can cancel one, and replaces their card. As Stripe's portal does by
 * default, cancelling takes effect at the end of the billing period (`cancel_at_period_end`); on a mixed-interval
 * subscription Stripe resolves that to the earliest item period end. A new card becomes the customer's default
 * (`invoice_settings.default_payment_method`, and any subscription's own default): open invoices are not charged
 * on the spot; the next automatic retry uses it. As Stripe's portal does, cancelling asks for confirmation first
 * (the plan stays until the period end), a scheduled cancellation can be undone ("Renew subscription"), and the
 * customer's invoices are listed with links to their hosted pages.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import { allowOnly, requiredStr, str } from '../params.ts';
import type { PageResponse, Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { getCustomer, updateCustomer } from '../resources/customers.ts';
import { CARD_NUMBERS, TEST_TOKENS, paymentMethodFromToken } from '../resources/payment-methods.ts';
import { itemsOf, priceOf, updateSubscriptionFields } from '../billing/subscription-model.ts';
import { scheduleRenewal } from '../billing/subscription-billing.ts';
import { escapeHtml, money, page } from './layout.ts';

const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

function cardSection(emu: Emu, session: Obj, problem?: string): string {
  const customer = emu.store.get('customer', session.customer);
  const pm = customer?.invoice_settings?.default_payment_method
    ? emu.store.get('payment_method', customer.invoice_settings.default_payment_method)
    : undefined;
  const current = pm
    ? `${escapeHtml(String(pm.card.brand))} •••• ${escapeHtml(String(pm.card.last4))}`
    : 'No card on file';
  return `<h2>Payment method</h2><p>${current}</p>
<form method="post" action="/p/session/${escapeHtml(session.id)}/payment_method">
<label for="cardnumber">New card number</label> <input id="cardnumber" name="cardnumber" inputmode="numeric" autocomplete="cc-number" aria-describedby="card-help">
<button type="submit">Update card</button>${problem ? `<p class="error" role="alert">${escapeHtml(problem)}</p>` : ''}
<p id="card-help" class="muted">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p></form>`;
}

function portal(emu: Emu, session: Obj, problem?: string): PageResponse {
  const subs = emu.store.all('subscription').filter((s) => s.customer === session.customer && s.status !== 'canceled');
  const rows = subs
    .map((s) => {
      const items = itemsOf(emu, s.id);
      const names = items
        .map((i) => {
          const p = priceOf(emu, i);
          const product = emu.store.get('product', p.product);
          return `${escapeHtml(product?.name ?? p.id)}${p.unit_amount ? ` — ${money(p.unit_amount, p.currency)} / ${p.recurring.interval}` : ' — usage-based'}`;
        })
        .join('<br>');
      const status = s.cancel_at
        ? `Cancels on ${day(s.cancel_at)}`
        : `Renews on ${day(Math.min(...items.map((i) => i.current_period_end)))}`;
      const action = s.cancel_at
        ? `<form method="post" action="/p/session/${escapeHtml(session.id)}/renew/${escapeHtml(s.id)}"><button type="submit">Renew subscription</button></form>`
        : `<form method="post" action="/p/session/${escapeHtml(session.id)}/cancel/${escapeHtml(s.id)}"><button class="danger" type="submit">Cancel subscription</button></form>`;
      return `<tr><td>${names}<div class="muted">${escapeHtml(s.status)} · ${status}</div>${action}</td></tr>`;
    })
    .join('');
  const back = `<a class="back" href="${escapeHtml(session.return_url)}">← Return</a>`;
  return {
    status: 200,
    body: page(
      'Manage billing — AiSyst',
      `<main><section class="summary" style="grid-column:1/-1">${back}
<h1>Your subscriptions</h1><table><tbody>${rows || '<tr><td>No active subscriptions.</td></tr>'}</tbody></table>${cardSection(emu, session, problem)}${invoiceSection(emu, session)}</section></main>`,
    ),
    ...(problem ? { status: 400 } : {}),
  };
}

/** The customer's finalised invoices, newest first, each linking to its hosted page (as Stripe's portal lists them). */
function invoiceSection(emu: Emu, session: Obj): string {
  const invoices = emu.store
    .all('invoice')
    .filter((i) => i.customer === session.customer && i.status !== 'draft' && i.number)
    .slice(0, 24);
  const rows = invoices
    .map(
      (i) =>
        `<tr><td>${day(i.created)} · ${i.hosted_invoice_url ? `<a href="${escapeHtml(i.hosted_invoice_url)}">${escapeHtml(i.number)}</a>` : escapeHtml(i.number)}<div class="muted">${escapeHtml(i.status)}</div></td><td class="amount">${money(i.total, i.currency)}</td></tr>`,
    )
    .join('');
  return `<h2>Invoice history</h2><table><tbody>${rows || '<tr><td>No invoices yet.</td></tr>'}</tbody></table>`;
}

/** Stripe's portal asks before cancelling: what ends when, and a way back. */
function confirmCancel(emu: Emu, session: Obj, sub: Obj): PageResponse {
  const end = Math.min(...itemsOf(emu, sub.id).map((i) => i.current_period_end as number));
  return {
    status: 200,
    body: page(
      'Cancel subscription — AiSyst',
      `<main><section class="summary" style="grid-column:1/-1">
<h1>Cancel your subscription?</h1><p>Your subscription stays active until ${day(end)}, then ends. You can renew it until then.</p>
<form method="post" action="/p/session/${escapeHtml(session.id)}/cancel/${escapeHtml(sub.id)}"><input type="hidden" name="confirm" value="yes"><button class="danger" type="submit">Yes, cancel subscription</button></form>
<p><a class="back" href="/p/session/${escapeHtml(session.id)}">← Keep my subscription</a></p></section></main>`,
    ),
  };
}

export const portalRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/billing_portal/sessions',
    api: (req, emu) => {
      allowOnly(req.params, ['customer', 'return_url', 'configuration', 'flow_data', 'locale', 'on_behalf_of']);
      const customer = getCustomer(emu, requiredStr(req.params, 'customer'));
      const id = newId('bps');
      const session: Partial<Stripe.BillingPortal.Session> = {
        id,
        object: 'billing_portal.session',
        configuration: str(req.params, 'configuration') ?? 'bpc_emulator_default',
        created: emu.nowFor(customer.id),
        customer: customer.id,
        customer_account: null,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: str(req.params, 'return_url') ?? null,
        url: `${emu.baseUrl}/p/session/${id}`,
      };
      return emu.store.put(session as Obj);
    },
  },
  {
    method: 'GET',
    pattern: '/p/session/:id',
    page: (req, emu) => {
      const session = emu.store.get('billing_portal.session', req.path_params.id as string);
      return session
        ? portal(emu, session)
        : { status: 404, body: page('Not found', '<main><h1>Portal session not found</h1></main>') };
    },
  },
  {
    method: 'POST',
    pattern: '/p/session/:id/payment_method',
    page: (req, emu) => {
      const session = emu.store.get('billing_portal.session', req.path_params.id as string);
      if (!session) return { status: 404, body: page('Not found', '<main><h1>Not found</h1></main>') };
      const token = CARD_NUMBERS[String((req.params as Record<string, unknown>).cardnumber ?? '').replace(/\D/g, '')];
      if (!token) return portal(emu, session, 'Your card number is invalid. Use a Stripe test card.');
      // Stripe's portal sets a card up before saving it: one that declines is refused there, nothing saved.
      if (TEST_TOKENS[token]?.behaviour === 'declines')
        return portal(emu, session, 'Your card was declined. Try a different card.');
      const pm = paymentMethodFromToken(emu, token, session.customer);
      const customer = getCustomer(emu, session.customer);
      updateCustomer(emu, customer, {
        invoice_settings: { ...customer.invoice_settings, default_payment_method: pm.id },
      });
      for (const sub of emu.store
        .all('subscription')
        .filter((s) => s.customer === customer.id && s.default_payment_method)) {
        updateSubscriptionFields(emu, sub, { default_payment_method: pm.id });
      }
      return { status: 303, headers: { location: `/p/session/${session.id}` }, body: '' };
    },
  },
  {
    method: 'POST',
    pattern: '/p/session/:id/cancel/:sub',
    page: (req, emu) => {
      const session = emu.store.get('billing_portal.session', req.path_params.id as string);
      const sub = emu.store.get('subscription', req.path_params.sub as string);
      if (!session || !sub || sub.customer !== session.customer)
        return { status: 404, body: page('Not found', '<main><h1>Not found</h1></main>') };
      if ((req.params as Record<string, unknown>).confirm !== 'yes') return confirmCancel(emu, session, sub);
      const end = Math.min(...itemsOf(emu, sub.id).map((i) => i.current_period_end as number));
      updateSubscriptionFields(emu, sub, {
        cancel_at_period_end: true,
        cancel_at: end,
        canceled_at: emu.nowFor(sub.customer),
        cancellation_details: { comment: null, feedback: null, reason: 'cancellation_requested' },
      });
      scheduleRenewal(emu, sub);
      return { status: 303, headers: { location: `/p/session/${session.id}` }, body: '' };
    },
  },
  {
    method: 'POST',
    pattern: '/p/session/:id/renew/:sub',
    page: (req, emu) => {
      const session = emu.store.get('billing_portal.session', req.path_params.id as string);
      const sub = emu.store.get('subscription', req.path_params.sub as string);
      if (!session || !sub || sub.customer !== session.customer || sub.status === 'canceled')
        return { status: 404, body: page('Not found', '<main><h1>Not found</h1></main>') };
      updateSubscriptionFields(emu, sub, {
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        cancellation_details: { ...sub.cancellation_details, reason: null },
      });
      scheduleRenewal(emu, sub);
      return { status: 303, headers: { location: `/p/session/${session.id}` }, body: '' };
    },
  },
];
