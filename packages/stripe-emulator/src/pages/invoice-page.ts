/** The hosted invoice page at `hosted_invoice_url`: lines, totals and status. */
import type { PageHandler, Route } from '../router.ts';
import { linesOf } from '../billing/lines.ts';
import { escapeHtml, money, page } from './layout.ts';

const invoicePage: PageHandler = (req, emu) => {
  const inv = emu.store.get('invoice', req.path_params.id as string);
  if (!inv || inv.status === 'draft')
    return { status: 404, body: page('Not found', '<main><h1>Invoice not found</h1></main>') };
  const rows = linesOf(emu, inv.id)
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.description)}<div class="muted">${new Date(l.period.start * 1000).toISOString().slice(0, 10)} – ${new Date(l.period.end * 1000).toISOString().slice(0, 10)}</div></td><td class="amount">${money(l.amount, l.currency)}</td></tr>`,
    )
    .join('');
  return {
    status: 200,
    body: page(
      `Invoice ${inv.number}`,
      `<main><section class="summary" style="grid-column:1/-1">
<h1>Invoice ${escapeHtml(inv.number)}</h1><p class="muted">Status: ${escapeHtml(inv.status)}</p>
<table><tbody>${rows}</tbody><tfoot><tr><td>Total</td><td class="amount">${money(inv.total, inv.currency)}</td></tr>
<tr><td>Amount due</td><td class="amount">${money(inv.amount_remaining, inv.currency)}</td></tr></tfoot></table></section></main>`,
    ),
  };
};

// `invoice_pdf` gets the same printable page: the emulator renders no PDFs.
export const invoicePageRoutes: Route[] = [
  { method: 'GET', pattern: '/i/:id', page: invoicePage },
  { method: 'GET', pattern: '/i/:id/pdf', page: invoicePage },
];
