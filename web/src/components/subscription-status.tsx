/**
 * The subscription's state in words: a badge (icon + text) and, when something needs attention, a banner that says
 * what happened and what to do. Statuses are Stripe's (https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses).
 */
import type { Invoice, Subscription } from '../api.ts';
import { formatDate } from '../format.ts';
import { Notice } from './notice.tsx';

const BADGES: Record<string, { text: string; icon: string; tone: 'good' | 'warn' | 'bad' | 'neutral' }> = {
  active: { text: 'Active', icon: '✓', tone: 'good' },
  trialing: { text: 'Trial', icon: '✓', tone: 'good' },
  past_due: { text: 'Payment failed', icon: '!', tone: 'bad' },
  unpaid: { text: 'Unpaid', icon: '!', tone: 'bad' },
  incomplete: { text: 'Awaiting payment', icon: '…', tone: 'warn' },
  incomplete_expired: { text: 'Expired', icon: '✕', tone: 'neutral' },
  canceled: { text: 'Canceled', icon: '✕', tone: 'neutral' },
  paused: { text: 'Paused', icon: '‖', tone: 'warn' },
};

export function StatusBadge({ status }: { status: string }) {
  const badge = BADGES[status] ?? { text: status, icon: '•', tone: 'neutral' as const };
  return (
    <span class={`badge badge-${badge.tone}`} data-status={status}>
      <span aria-hidden="true">{badge.icon}</span> {badge.text}
    </span>
  );
}

export function SubscriptionBanner({ subscription, invoices }: { subscription: Subscription; invoices: Invoice[] }) {
  const openInvoice = invoices.find((i) => i.status === 'open' && i.hosted_invoice_url);
  const payLink = openInvoice ? (
    <>
      :{' '}
      <a href={openInvoice.hosted_invoice_url!} target="_blank" rel="noopener noreferrer">
        Pay invoice {openInvoice.number ?? ''} now
      </a>
      .
    </>
  ) : null;
  switch (subscription.status) {
    case 'past_due':
    case 'unpaid':
      return (
        <Notice tone="error" title="Your last payment failed">
          Your card was declined when we tried to charge it. Stripe will retry automatically over the next days; to
          avoid an interruption of your voice agents, pay the open invoice with another card
          {payLink ?? ' from the invoice email you received.'} To keep it from happening again, update your card under{' '}
          <strong>Manage billing</strong>.
        </Notice>
      );
    case 'incomplete':
      return (
        <Notice tone="warning" title="Your first payment is not complete yet">
          The subscription starts once the first payment succeeds.{payLink}
        </Notice>
      );
    case 'canceled':
    case 'incomplete_expired':
      return (
        <Notice tone="info" title="This subscription has ended">
          {subscription.cancel_at
            ? `It ended on ${formatDate(subscription.cancel_at)}. `
            : 'It no longer renews and nothing more is charged. '}
          Choose a plan on the <a href="/pricing">pricing page</a> to start again.
        </Notice>
      );
  }
  const endsAt = subscription.cancel_at ?? (subscription.cancel_at_period_end ? subscription.current_period_end : null);
  if (endsAt) {
    return (
      <Notice tone="info" title={`Your subscription ends on ${formatDate(endsAt)}`} live={false}>
        It stays fully usable until then, and nothing more will be charged after that date apart from the last month's
        extra minutes.
      </Notice>
    );
  }
  return null;
}
