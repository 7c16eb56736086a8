/** Every route the emulator answers. */
import type { Route } from './router.ts';
import { customerRoutes } from './resources/customers.ts';
import { productRoutes } from './resources/products.ts';
import { priceRoutes } from './resources/prices.ts';
import { meterRoutes } from './resources/meters.ts';
import { meterEventAdjustmentRoutes } from './resources/meter-event-adjustments.ts';
import { testClockRoutes } from './resources/test-clocks.ts';
import { paymentMethodRoutes } from './resources/payment-methods.ts';
import { checkoutRoutes } from './resources/checkout.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { subscriptionItemRoutes } from './resources/subscription-items.ts';
import { subscriptionScheduleRoutes } from './resources/subscription-schedules.ts';
import { invoicePreviewRoutes } from './resources/invoice-preview.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { eventRoutes } from './resources/events.ts';
import { creditNoteRoutes } from './resources/credit-notes.ts';
import { refundRoutes } from './resources/refunds.ts';
import { portalConfigurationRoutes } from './resources/portal-configurations.ts';
import { portalRoutes } from './pages/portal-page.ts';
import { checkoutPageRoutes } from './pages/checkout-page.ts';
import { invoicePageRoutes } from './pages/invoice-page.ts';

export const ALL_ROUTES: Route[] = [
  ...customerRoutes,
  ...productRoutes,
  ...priceRoutes,
  ...meterRoutes,
  ...meterEventAdjustmentRoutes,
  ...testClockRoutes,
  ...paymentMethodRoutes,
  ...checkoutRoutes,
  ...subscriptionRoutes,
  ...subscriptionItemRoutes,
  ...subscriptionScheduleRoutes,
  ...invoicePreviewRoutes,
  ...invoiceRoutes,
  ...eventRoutes,
  ...creditNoteRoutes,
  ...refundRoutes,
  ...portalConfigurationRoutes,
  ...portalRoutes,
  ...checkoutPageRoutes,
  ...invoicePageRoutes,
];
