/**
 * The SDK type each emulator object must conform to, keyed by the object's `object` field (a deleted object by
 * `deleted <object>`). Adding a kind the emulator hands out is one line here; the conformance checker reads this
 * interface through the TypeScript compiler, so the types are exactly those the installed `stripe` package declares.
 */
import type Stripe from 'stripe';

export interface StripeKinds {
  list: Stripe.ApiList<unknown>; // items are checked by their own `object`
  event: Stripe.Event;
  customer: Stripe.Customer;
  'deleted customer': Stripe.DeletedCustomer;
  product: Stripe.Product;
  'deleted product': Stripe.DeletedProduct;
  price: Stripe.Price;
  'deleted price': Stripe.DeletedPrice;
  subscription: Stripe.Subscription;
  subscription_item: Stripe.SubscriptionItem;
  'deleted subscription_item': Stripe.DeletedSubscriptionItem;
  invoice: Stripe.Invoice;
  line_item: Stripe.InvoiceLineItem;
  invoiceitem: Stripe.InvoiceItem;
  subscription_schedule: Stripe.SubscriptionSchedule;
  credit_note: Stripe.CreditNote;
  credit_note_line_item: Stripe.CreditNoteLineItem;
  refund: Stripe.Refund;
  'checkout.session': Stripe.Checkout.Session;
  item: Stripe.LineItem; // a Checkout Session's line item
  payment_method: Stripe.PaymentMethod;
  'billing.meter': Stripe.Billing.Meter;
  'billing.meter_event': Stripe.Billing.MeterEvent;
  'billing.meter_event_summary': Stripe.Billing.MeterEventSummary;
  'billing.meter_event_adjustment': Stripe.Billing.MeterEventAdjustment;
  'v2.billing.meter_event_session': Stripe.V2.Billing.MeterEventSession;
  'billing_portal.session': Stripe.BillingPortal.Session;
  'test_helpers.test_clock': Stripe.TestHelpers.TestClock;
  'deleted test_helpers.test_clock': Stripe.TestHelpers.DeletedTestClock;
  webhook_endpoint: Stripe.WebhookEndpoint;
  'deleted webhook_endpoint': Stripe.DeletedWebhookEndpoint;
}
