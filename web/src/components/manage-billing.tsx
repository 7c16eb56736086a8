/**
 * "Manage billing": opens Stripe's customer portal for the organisation, where the owner updates the card, sees
 * every invoice and cancels. Stripe hosts it (no card detail ever reaches our pages); changes come back through
 * the webhook, and the portal returns to /dashboard.
 */
import { useState } from 'preact/hooks';
import { errorSentence } from '../errors.ts';
import { useServices } from '../services.ts';
import { Notice } from './notice.tsx';

export function ManageBilling({ orgId }: { orgId: string }) {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  async function open() {
    setBusy(true);
    setError(undefined);
    try {
      const { portal_url } = await services.api.createPortalSession({ org_id: orgId });
      services.redirect(portal_url);
    } catch (failure) {
      setError(errorSentence(failure));
      setBusy(false);
    }
  }

  return (
    <div class="manage-billing">
      <button type="button" class="button button-quiet" onClick={() => void open()} disabled={busy} aria-busy={busy}>
        {busy ? 'Opening Stripe…' : 'Manage billing'}
      </button>
      <span class="muted"> Update your card, download invoices or cancel, on Stripe.</span>
      {error && (
        <Notice tone="error" title="The billing portal could not be opened">
          {error}
        </Notice>
      )}
    </div>
  );
}
