/**
 * Customer portal configurations (docs.stripe.com/api/customer_portal/configurations): create, retrieve, update,
 * list (`is_default`, `active` filters). Stored and answered only: the emulated portal page shows the same
 * features whatever the configuration says. A configuration made through the API is never the default
 * (`is_default: false`); on Stripe the default is the one saved in the Dashboard, which the emulator has none of.
 */
import { invalidParam } from '../errors.ts';
import type { FormValue, Params } from '../form.ts';
import { newId } from '../ids.ts';
import { allowOnly, arr, bool, mergeMetadata, obj, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';

const CONFIG_PARAMS = ['features', 'default_return_url', 'business_profile', 'metadata', 'name', 'login_page'];

function enabled(value: Params | undefined, param: string): boolean | undefined {
  return value === undefined ? undefined : bool(value.enabled as FormValue | undefined, `${param}[enabled]`);
}

/** Applies `features[...]` on top of `current` (an update changes only what it names). */
function applyFeatures(current: Obj, params: Params | undefined): Obj {
  if (!params) return current;
  const f = structuredClone(current);
  const pm = obj(params, 'payment_method_update');
  if (pm)
    f.payment_method_update.enabled = enabled(pm, 'features[payment_method_update]') ?? f.payment_method_update.enabled;
  const ih = obj(params, 'invoice_history');
  if (ih) f.invoice_history.enabled = enabled(ih, 'features[invoice_history]') ?? f.invoice_history.enabled;
  const cu = obj(params, 'customer_update');
  if (cu) {
    f.customer_update.enabled = enabled(cu, 'features[customer_update]') ?? f.customer_update.enabled;
    const updates = arr(cu, 'allowed_updates');
    if (updates) f.customer_update.allowed_updates = updates.map(String);
  }
  const cancel = obj(params, 'subscription_cancel');
  if (cancel) {
    f.subscription_cancel.enabled = enabled(cancel, 'features[subscription_cancel]') ?? f.subscription_cancel.enabled;
    const mode = str(cancel, 'mode');
    if (mode !== undefined && mode !== 'at_period_end' && mode !== 'immediately')
      throw invalidParam('features[subscription_cancel][mode]', `Invalid mode: ${mode}`);
    if (mode) f.subscription_cancel.mode = mode;
  }
  const su = obj(params, 'subscription_update');
  if (su) f.subscription_update.enabled = enabled(su, 'features[subscription_update]') ?? f.subscription_update.enabled;
  return f;
}

/** Every feature off, as the API starts a configuration (each one is opted into with `enabled: true`). */
function noFeatures(): Obj {
  return {
    customer_update: { allowed_updates: [], enabled: false },
    invoice_history: { enabled: false },
    payment_method_update: { enabled: false, payment_method_configuration: null },
    subscription_cancel: {
      cancellation_reason: { enabled: false, feedback_options: null, options: [] },
      enabled: false,
      mode: 'at_period_end',
      proration_behavior: 'none',
    },
    subscription_pause: { duration: { interval_options: [], type: 'indefinite' }, enabled: false },
    subscription_update: {
      billing_cycle_anchor: null,
      default_allowed_updates: [],
      enabled: false,
      proration_behavior: 'none',
      schedule_at_period_end: { conditions: [] },
      trial_update_behavior: 'continue_trial',
    },
  };
}

function applyCommon(c: Obj, p: Params): void {
  if (p.default_return_url !== undefined) c.default_return_url = str(p, 'default_return_url') || null;
  if (p.name !== undefined) c.name = str(p, 'name') || null;
  if (p.metadata !== undefined) c.metadata = mergeMetadata(c.metadata, p.metadata);
  const profile = obj(p, 'business_profile');
  if (profile)
    c.business_profile = {
      ...c.business_profile,
      ...Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, String(v) || null])),
    };
}

export const portalConfigurationRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/billing_portal/configurations',
    api: (req, emu) => {
      const p = req.params;
      allowOnly(p, CONFIG_PARAMS);
      const features = obj(p, 'features');
      if (!features) throw invalidParam('features', 'Missing required param: features.', 'parameter_missing');
      const now = emu.realNow();
      const config: Obj = {
        id: newId('bpc'),
        object: 'billing_portal.configuration',
        active: true,
        application: null,
        business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
        created: now,
        default_return_url: null,
        features: applyFeatures(noFeatures(), features),
        is_default: false,
        livemode: false,
        login_page: { enabled: false, url: null },
        metadata: {},
        name: null,
        updated: now,
      };
      applyCommon(config, p);
      return emu.store.put(config);
    },
  },
  {
    method: 'GET',
    pattern: '/v1/billing_portal/configurations/:id',
    api: (req, emu) => emu.store.require('billing_portal.configuration', req.path_params.id as string),
  },
  {
    method: 'GET',
    pattern: '/v1/billing_portal/configurations',
    api: (req, emu) => {
      const active = bool(req.params.active, 'active');
      const isDefault = bool(req.params.is_default, 'is_default');
      return emu.store
        .all('billing_portal.configuration')
        .filter(
          (c) =>
            (active === undefined || c.active === active) && (isDefault === undefined || c.is_default === isDefault),
        );
    },
  },
  {
    method: 'POST',
    pattern: '/v1/billing_portal/configurations/:id',
    api: (req, emu) => {
      const p = req.params;
      allowOnly(p, [...CONFIG_PARAMS, 'active']);
      const config = emu.store.require('billing_portal.configuration', req.path_params.id as string);
      if (p.active !== undefined) config.active = bool(p.active, 'active');
      config.features = applyFeatures(config.features, obj(p, 'features'));
      applyCommon(config, p);
      config.updated = emu.realNow();
      emu.store.changed();
      return config;
    },
  },
];
