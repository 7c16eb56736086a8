/** Invoices, newest first, each with a link to Stripe's hosted page (view, download, or pay an open one). */
import type { Invoice } from '../api.ts';
import { formatDate, formatMoney } from '../format.ts';

const STATUS_TEXT: Record<string, string> = {
  paid: 'Paid',
  open: 'Due',
  draft: 'Draft',
  void: 'Void',
  uncollectible: 'Uncollectible',
};

export function InvoiceList({ invoices }: { invoices: Invoice[] }) {
  return (
    <section class="card" aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      {invoices.length === 0 ? (
        <p class="empty">No invoices yet. Your first invoice appears here as soon as your payment has gone through.</p>
      ) : (
        <ul class="invoice-list">
          {invoices.map((invoice) => (
            <li key={invoice.id} class="invoice">
              <div>
                <p class="invoice-number">{invoice.number ?? 'Invoice'}</p>
                <p class="muted">{formatDate(invoice.period_start)}</p>
              </div>
              <span
                class={`badge ${invoice.status === 'paid' ? 'badge-good' : invoice.status === 'open' ? 'badge-bad' : 'badge-neutral'}`}
              >
                <span aria-hidden="true">
                  {invoice.status === 'paid' ? '✓' : invoice.status === 'open' ? '!' : '•'}
                </span>{' '}
                {STATUS_TEXT[invoice.status] ?? invoice.status}
              </span>
              <p class="invoice-total">{formatMoney(invoice.total_cents, invoice.currency)}</p>
              {invoice.hosted_invoice_url ? (
                <a href={invoice.hosted_invoice_url} target="_blank" rel="noopener noreferrer">
                  {invoice.status === 'open' ? 'Pay' : 'View'}
                  <span class="visually-hidden"> invoice {invoice.number ?? ''}</span> <span aria-hidden="true">↗</span>
                </a>
              ) : (
                <span class="muted">—</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
