/** The SDK types of the objects packages/stripe-emulator/test/portal-configurations.test.ts checks (see conformance/stripe-kinds.ts). */
import type Stripe from 'stripe';

export interface StripeKinds {
  'billing_portal.configuration': Stripe.BillingPortal.Configuration;
  webhook_endpoint: Stripe.WebhookEndpoint;
}
