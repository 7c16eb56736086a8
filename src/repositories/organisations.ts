/**
 * Organisations and who owns them (docs/design.md#architecture-and-invariants, row 6: a user sees
 * and acts only on organisations they own).
 * Another user's organisation is answered exactly like one that does not exist — 404 `organisation_not_found` —
 * so that ids cannot be probed for existence (a 403 would confirm the id is real).
 */
import { isUuid } from '../domain/uuid.ts';
import { AppError } from '../errors.ts';
import type { Sql } from '../ports/sql.ts';

export interface Organisation {
  id: string;
  name: string;
  ownerId: string;
  stripeCustomerId: string | null;
}

interface OrganisationRow {
  id: string;
  name: string;
  owner_id: string;
  stripe_customer_id: string | null;
}

const COLUMNS = 'id, name, owner_id, stripe_customer_id';

const toOrganisation = (r: OrganisationRow): Organisation => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  stripeCustomerId: r.stripe_customer_id,
});

/**
 * The owner's organisation of this name, created unless it exists: a repeated request (a double click, a retry
 * after a lost answer) must not leave the owner with two organisations, after which every call would need an
 * org_id. Serialised per owner with a transaction-scoped advisory lock (it works through Supabase's transaction
 * pooler too), so concurrent twins find the first one's row. An owner may still create differently named ones.
 */
export async function insertOrganisationOnce(
  sql: Sql,
  input: { name: string; ownerId: string },
): Promise<{ organisation: Organisation; created: boolean }> {
  return sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('organisations:' || $1::text))`, [input.ownerId]);
    const [existing] = await tx.query<OrganisationRow>(
      `select ${COLUMNS} from public.organisations where owner_id = $1 and name = $2 order by created_at, id limit 1`,
      [input.ownerId, input.name],
    );
    if (existing) return { organisation: toOrganisation(existing), created: false };
    const rows = await tx.query<OrganisationRow>(
      `insert into public.organisations (name, owner_id) values ($1, $2) returning ${COLUMNS}`,
      [input.name, input.ownerId],
    );
    return { organisation: toOrganisation(rows[0]!), created: true };
  });
}

/** The user's organisations, oldest first. */
export async function findOwnedOrganisations(sql: Sql, userId: string): Promise<Organisation[]> {
  const rows = await sql.query<OrganisationRow>(
    `select ${COLUMNS} from public.organisations where owner_id = $1 order by created_at, id`,
    [userId],
  );
  return rows.map(toOrganisation);
}

/** Any organisation by id, whoever owns it (backend callers, webhooks). Undefined when there is none. */
export async function findOrganisationById(sql: Sql, orgId: string): Promise<Organisation | undefined> {
  if (!isUuid(orgId)) return undefined;
  const rows = await sql.query<OrganisationRow>(`select ${COLUMNS} from public.organisations where id = $1`, [orgId]);
  return rows[0] ? toOrganisation(rows[0]) : undefined;
}

/** The organisation if `userId` owns it; otherwise 404 `organisation_not_found` (also for a malformed id). */
export async function getOrganisationForOwner(sql: Sql, orgId: string, userId: string): Promise<Organisation> {
  const org = await findOrganisationById(sql, orgId);
  if (!org || org.ownerId !== userId) {
    throw new AppError('organisation_not_found', 'No organisation with this id belongs to you.', { field: 'org_id' });
  }
  return org;
}

/**
 * Which organisation a user request is about: the given `org_id` (must be theirs), else their only one.
 * No organisation → 404; several and no `org_id` → 400 `org_id_required`
 * (docs/http-api.md#which-organisation-org_id).
 */
export async function resolveOrganisation(sql: Sql, userId: string, orgId?: string | null): Promise<Organisation> {
  if (orgId !== undefined && orgId !== null && orgId !== '') return getOrganisationForOwner(sql, orgId, userId);
  return chooseOwnedOrganisation(await findOwnedOrganisations(sql, userId), undefined);
}

/** resolveOrganisation's rule applied to the user's organisations already read (findOwnedOrganisations). */
export function chooseOwnedOrganisation(owned: Organisation[], orgId: string | undefined): Organisation {
  if (orgId) {
    const org = owned.find((o) => o.id === orgId);
    if (!org)
      throw new AppError('organisation_not_found', 'No organisation with this id belongs to you.', { field: 'org_id' });
    return org;
  }
  if (owned.length === 0)
    throw new AppError(
      'organisation_not_found',
      'You have no organisation yet: create one first (POST organisations).',
    );
  if (owned.length > 1) {
    // The choices come with the refusal: the caller owns them, and a client can offer them without another call.
    throw new AppError('org_id_required', 'You own several organisations: say which one with org_id.', {
      field: 'org_id',
      organisations: owned.map((o) => ({ id: o.id, name: o.name })),
    });
  }
  return owned[0]!;
}

/**
 * Saves the Stripe customer of an organisation unless it already has one, and returns the id actually stored.
 * Race-free: of two concurrent first checkouts only one UPDATE matches `stripe_customer_id is null`; the other
 * re-reads and gets the winner's id (its own customer is then an orphan in Stripe, never a second link).
 */
export async function setStripeCustomerIdIfMissing(sql: Sql, orgId: string, customerId: string): Promise<string> {
  const updated = await sql.query<{ stripe_customer_id: string }>(
    'update public.organisations set stripe_customer_id = $2, updated_at = now() where id = $1 and stripe_customer_id is null returning stripe_customer_id',
    [orgId, customerId],
  );
  if (updated[0]) return updated[0].stripe_customer_id;
  const current = await sql.query<{ stripe_customer_id: string | null }>(
    'select stripe_customer_id from public.organisations where id = $1',
    [orgId],
  );
  const stored = current[0]?.stripe_customer_id;
  if (!stored) throw new AppError('organisation_not_found', 'The organisation no longer exists.');
  return stored;
}

/** The organisation a Stripe customer belongs to (webhooks). */
export async function findOrganisationByStripeCustomerId(
  sql: Sql,
  customerId: string,
): Promise<Organisation | undefined> {
  const rows = await sql.query<OrganisationRow>(
    `select ${COLUMNS} from public.organisations where stripe_customer_id = $1`,
    [customerId],
  );
  return rows[0] ? toOrganisation(rows[0]) : undefined;
}

/**
 * The owner's sign-up e-mail (Supabase's `auth.users.email`; null for a phone-only user) and the e-mail last set on
 * the organisation's Stripe customer (issue 8, defect 11): they differ after the owner changed theirs.
 */
export async function findBillingEmails(
  sql: Sql,
  orgId: string,
): Promise<{ ownerEmail: string | null; customerEmail: string | null }> {
  const rows = await sql.query<{ owner_email: string | null; customer_email: string | null }>(
    `select u.email as owner_email, o.stripe_customer_email as customer_email
       from public.organisations o left join auth.users u on u.id = o.owner_id where o.id = $1`,
    [orgId],
  );
  return { ownerEmail: rows[0]?.owner_email ?? null, customerEmail: rows[0]?.customer_email ?? null };
}

/** Remembers the e-mail now set on the organisation's Stripe customer. */
export async function recordStripeCustomerEmail(sql: Sql, orgId: string, email: string): Promise<void> {
  await sql.query('update public.organisations set stripe_customer_email = $2, updated_at = now() where id = $1', [
    orgId,
    email,
  ]);
}
