/**
 * Billing portal sessions (docs.stripe.com/api/customer_portal/sessions) and a small portal page where the
 * customer sees their subscriptions and can cancel one. As Stripe's portal does by default, cancelling takes
 * effect at the end of the billing period (`cancel_at_period_end`); on a mixed-interval subscription Stripe
 * resolves that to the earliest item period end.
 */
import type Stripe from 'stripe';
import type { Emu } from '../emu.ts';
import { newId } from '../ids.ts';
import { allowOnly, requiredStr, str } from '../params.ts';
import type { PageResponse, Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { getCustomer } from '../resources/customers.ts';
import { itemsOf, priceOf, updateSubscriptionFields } from '../billing/subscriptionModel.ts';
import { scheduleRenewal } from '../billing/subscriptionBilling.ts';
import { escapeHtml, money, page } from './layout.ts';

const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

function portal(emu: Emu, session: Obj): PageResponse {
  const subs = emu.store.all('subscription').filter((s) => s.customer === session.customer && s.status !== 'canceled');
  const rows = subs.map((s) => {
    const items = itemsOf(emu, s.id);
    const names = items.map((i) => {
      const p = priceOf(emu, i);
      const product = emu.store.get('product', p.product);
      return `${escapeHtml(product?.name ?? p.id)}${p.unit_amount ? ` — ${money(p.unit_amount, p.currency)} / ${p.recurring.interval}` : ' — usage-based'}`;
    }).join('<br>');
    const status = s.cancel_at ? `Cancels on ${day(s.cancel_at)}` : `Renews on ${day(Math.min(...items.map((i) => i.current_period_end)))}`;
    const action = s.cancel_at ? '' : `<form method="post" action="/p/session/${escapeHtml(session.id)}/cancel/${escapeHtml(s.id)}"><button class="danger" type="submit">Cancel subscription</button></form>`;
    return `<tr><td>${names}<div class="muted">${escapeHtml(s.status)} · ${status}</div>${action}</td></tr>`;
  }).join('');
  const back = `<a class="back" href="${escapeHtml(session.return_url)}">← Return</a>`;
  return { status: 200, body: page('Manage billing — AiSyst', `<main><section class="summary" style="grid-column:1/-1">${back}
<h1>Your subscriptions</h1><table><tbody>${rows || '<tr><td>No active subscriptions.</td></tr>'}</tbody></table></section></main>`) };
}

export const portalRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/billing_portal/sessions', api: (req, emu) => {
    allowOnly(req.params, ['customer', 'return_url', 'configuration', 'flow_data', 'locale', 'on_behalf_of']);
    const customer = getCustomer(emu, requiredStr(req.params, 'customer'));
    const id = newId('bps');
    const session: Partial<Stripe.BillingPortal.Session> = {
      id, object: 'billing_portal.session', configuration: str(req.params, 'configuration') ?? 'bpc_emulator_default',
      created: emu.nowFor(customer.id), customer: customer.id, customer_account: null, flow: null, livemode: false,
      locale: null, on_behalf_of: null, return_url: str(req.params, 'return_url') ?? null, url: `${emu.baseUrl}/p/session/${id}`,
    };
    return emu.store.put(session as Obj);
  } },
  { method: 'GET', pattern: '/p/session/:id', page: (req, emu) => {
    const session = emu.store.get('billing_portal.session', req.path_params.id as string);
    return session ? portal(emu, session) : { status: 404, body: page('Not found', '<main><h1>Portal session not found</h1></main>') };
  } },
  { method: 'POST', pattern: '/p/session/:id/cancel/:sub', page: (req, emu) => {
    const session = emu.store.get('billing_portal.session', req.path_params.id as string);
    const sub = emu.store.get('subscription', req.path_params.sub as string);
    if (!session || !sub || sub.customer !== session.customer) return { status: 404, body: page('Not found', '<main><h1>Not found</h1></main>') };
    const end = Math.min(...itemsOf(emu, sub.id).map((i) => i.current_period_end as number));
    updateSubscriptionFields(emu, sub, { cancel_at_period_end: true, cancel_at: end, canceled_at: emu.nowFor(sub.customer), cancellation_details: { comment: null, feedback: null, reason: 'cancellation_requested' } });
    scheduleRenewal(emu, sub);
    return { status: 303, headers: { location: `/p/session/${session.id}` }, body: '' };
  } },
];
