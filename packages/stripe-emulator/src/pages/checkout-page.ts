/**
 * The hosted Checkout page at a session's `url`. Submitting a test card number does what Stripe's page does:
 * `4242…` pays and redirects (303) to `success_url`, `…0002` shows the decline and stays, `…0341` pays now and
 * fails on later charges. The "Back" link goes to `cancel_url`.
 */
import type { Emu } from '../emu.ts';
import { StripeApiError } from '../errors.ts';
import type { PageResponse, Route } from '../router.ts';
import type { Obj } from '../store.ts';
import { completeSession } from '../resources/checkout.ts';
import { refreshExpiry, successUrlFor } from '../resources/checkout-model.ts';
import { CARD_NUMBERS } from '../resources/payment-methods.ts';
import { escapeHtml, money, page } from './layout.ts';

function lineRow(emu: Emu, item: Obj): string {
  const price = emu.store.get('price', item.price) as Obj;
  const rec = price.recurring;
  let detail = rec
    ? `Billed ${rec.interval_count > 1 ? `every ${rec.interval_count} ${rec.interval}s` : `${rec.interval}ly`}`
    : 'One-time fee';
  if (rec?.usage_type === 'metered') {
    const tiers = (price.tiers ?? []) as Obj[];
    const free = tiers[0]?.unit_amount === 0 ? tiers[0].up_to : null;
    const rate = tiers.find((t) => t.unit_amount)?.unit_amount ?? price.unit_amount ?? 0;
    detail = `Usage-based, billed ${rec.interval}ly in arrears${free ? `: first ${free} included, then ${money(rate, price.currency)} each` : ''}`;
  }
  const qty = item.quantity && item.quantity > 1 ? ` × ${item.quantity}` : '';
  return `<tr><td>${escapeHtml(item.description)}${qty}<div class="muted">${escapeHtml(detail)}</div></td><td class="amount">${money(item.amount_total, item.currency)}</td></tr>`;
}

function render(emu: Emu, session: Obj, error?: string, email?: string): string {
  const items = session._line_items as Obj[];
  const customer = session.customer ? emu.store.get('customer', session.customer) : undefined;
  const knownEmail = customer?.email ?? session.customer_email ?? email ?? '';
  const back = session.cancel_url ? `<a class="back" href="${escapeHtml(session.cancel_url)}">← Back</a>` : '';
  const total = money(session.amount_total, session.currency);
  return page(
    `Pay ${total} — AiSyst`,
    `<main>
<section class="summary" aria-labelledby="summary-title">${back}
<h1 id="summary-title">${session.mode === 'subscription' ? 'Subscribe to AiSyst' : 'Pay AiSyst'}</h1>
<div class="total" aria-label="Total due today">${total}<span class="muted"> due today</span></div>
<table><tbody>${items.map((i) => lineRow(emu, i)).join('')}</tbody>
<tfoot><tr><td>Total due today</td><td class="amount">${total}</td></tr></tfoot></table>
</section>
<section class="pay" aria-labelledby="pay-title"><h2 id="pay-title">Pay with card <span class="badge">Test mode</span></h2>
<form method="post" novalidate>
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(knownEmail)}"${customer?.email ? ' readonly' : ''}>
<label for="cardnumber">Card number</label><input id="cardnumber" name="cardnumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required aria-describedby="card-help">
<div class="row"><div><label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" autocomplete="cc-exp" placeholder="MM / YY" required></div>
<div><label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" required></div></div>
<label for="name">Cardholder name</label><input id="name" name="name" autocomplete="cc-name">
${session.custom_text?.submit?.message ? `<p class="muted" id="submit-text">${escapeHtml(session.custom_text.submit.message)}</p>` : ''}
<button type="submit">${session.mode === 'subscription' ? 'Subscribe' : 'Pay'} ${total}</button>
${error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : ''}
<p id="card-help" class="muted">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 0341 pays now and fails later.</p>
</form></section><footer class="muted">Stripe emulator · no real payment is made</footer></main>`,
  );
}

function closedPage(session: Obj): PageResponse {
  const text =
    session.status === 'complete'
      ? 'This checkout is already complete. Thank you!'
      : 'This checkout session has expired.';
  return {
    status: session.status === 'complete' ? 200 : 410,
    body: page('Checkout', `<main><section class="summary"><h1>${escapeHtml(text)}</h1></section></main>`),
  };
}

export const checkoutPageRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/c/pay/:id',
    page: (req, emu) => {
      const session = emu.store.get('checkout.session', req.path_params.id as string);
      if (!session)
        return {
          status: 404,
          body: page(
            'Not found',
            '<main><section class="summary"><h1>Checkout session not found</h1></section></main>',
          ),
        };
      refreshExpiry(emu, session);
      if (session.status !== 'open') return closedPage(session);
      return { status: 200, body: render(emu, session) };
    },
  },
  {
    method: 'POST',
    pattern: '/c/pay/:id',
    page: (req, emu) => {
      const session = emu.store.get('checkout.session', req.path_params.id as string);
      if (!session) return { status: 404, body: page('Not found', '<main><h1>Checkout session not found</h1></main>') };
      const f = req.params as Record<string, string>;
      const number = String(f.cardnumber ?? '').replace(/\D/g, '');
      const token = CARD_NUMBERS[number];
      const email = String(f.email ?? '').trim() || undefined;
      if (!token)
        return {
          status: 400,
          body: render(emu, session, 'Your card number is invalid. Use a Stripe test card.', email),
        };
      if (!/^\d{2}\s*\/\s*\d{2,4}$/.test(String(f.exp ?? '')) || !/^\d{3,4}$/.test(String(f.cvc ?? ''))) {
        return {
          status: 400,
          body: render(emu, session, "Your card's expiry date or security code is incomplete.", email),
        };
      }
      try {
        completeSession(emu, session.id, token, email);
      } catch (err) {
        if (!(err instanceof StripeApiError)) throw err;
        const message = err.code === 'card_declined' ? 'Your card was declined. Try a different card.' : err.message;
        return { status: err.status, body: render(emu, session, message, email) };
      }
      const to = successUrlFor(session);
      return to ? { status: 303, headers: { location: to }, body: '' } : closedPage(session);
    },
  },
];
