/**
 * The e-mail of one usage alert: what happened, the cycle's figures, and what the owner can do (the dashboard).
 * Plain text and a small HTML twin; every value that comes from a person (the organisation's name) is escaped.
 */
import type { MailMessage } from '../../ports/mailer.ts';
import type { ClaimedAlert } from '../../repositories/usage-alerts.ts';

const formatCents = (cents: number, currency: string): string =>
  new Intl.NumberFormat('en-IE', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
const day = (d: Date) => d.toISOString().slice(0, 10);
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function composeAlert(alert: ClaimedAlert, dashboardUrl: string): Omit<MailMessage, 'to'> {
  const minutes = `${alert.minutesUsed.toLocaleString('en-IE')} of ${alert.includedMinutes.toLocaleString('en-IE')} included minutes`;
  const period = `${day(alert.periodStart)} – ${day(alert.periodEnd)}`;
  const overage = formatCents(alert.overageCostCents, alert.currency);
  const headline = {
    included_80: `${alert.orgName} has used 80 % of its included minutes`,
    included_100: `${alert.orgName} has used all of its included minutes`,
    spend_cap_reached: `${alert.orgName} reached its spend cap: new calls are stopped`,
  }[alert.kind];
  const detail = {
    included_80: 'Further calls this cycle are billed as extra minutes once the included ones are used up.',
    included_100: `Calls from now on are billed as extra minutes (so far: ${overage}).`,
    spend_cap_reached: `Extra minutes this cycle cost ${overage}, reaching the cap of ${
      alert.capCents === null ? 'your spend cap' : formatCents(alert.capCents, alert.currency)
    }. Calls already finished are still counted; raise or remove the cap to let new calls start.`,
  }[alert.kind];
  const lines = [headline, '', `Billing cycle ${period}: ${minutes}.`, detail, '', `Dashboard: ${dashboardUrl}`];
  return {
    subject: headline,
    text: `${lines.join('\n')}\n`,
    html: `<p><strong>${escapeHtml(headline)}</strong></p><p>Billing cycle ${period}: ${escapeHtml(minutes)}.</p><p>${escapeHtml(detail)}</p><p><a href="${escapeHtml(dashboardUrl)}">Open the dashboard</a></p>`,
  };
}
