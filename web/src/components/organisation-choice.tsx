/**
 * For a person who owns several organisations: the question which one (when none is chosen yet: billing-summary
 * answered org_id_required with the choices) and, once one is shown, a switcher. The choice is remembered per
 * user in this browser (account.ts), and a purchase that waited for it continues afterwards.
 */
import type { OrganisationRef } from '../api.ts';
import { continueAfterSignIn } from '../checkout.ts';
import { useServices } from '../services.ts';

export function OrganisationPicker({ choices }: { choices: OrganisationRef[] }) {
  const services = useServices();
  async function choose(id: string) {
    await services.account.chooseOrganisation(id);
    await continueAfterSignIn(services);
  }
  return (
    <section class="card organisation-picker" aria-labelledby="picker-heading">
      <h2 id="picker-heading">Which organisation?</h2>
      <p class="muted">
        You own several organisations. Choose the one whose plan and usage you want to see; you can switch at any time.
      </p>
      <ul>
        {choices.map((org) => (
          <li key={org.id}>
            <button type="button" class="button button-secondary button-block" onClick={() => void choose(org.id)}>
              {org.name}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function OrganisationSwitcher({
  current,
  organisations,
}: {
  current: string;
  organisations: OrganisationRef[];
}) {
  const services = useServices();
  if (organisations.length < 2) return null;
  return (
    <label class="organisation-switcher">
      <span>Organisation</span>
      <select
        value={current}
        onChange={(e) => void services.account.chooseOrganisation((e.target as HTMLSelectElement).value)}
      >
        {organisations.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </label>
  );
}
