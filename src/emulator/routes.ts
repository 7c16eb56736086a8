/** Every route the emulator answers. */
import type { Route } from './router.ts';
import { customerRoutes } from './resources/customers.ts';
import { productRoutes } from './resources/products.ts';
import { priceRoutes } from './resources/prices.ts';
import { meterRoutes } from './resources/meters.ts';
import { testClockRoutes } from './resources/testClocks.ts';
import { paymentMethodRoutes } from './resources/paymentMethods.ts';
import { checkoutRoutes } from './resources/checkout.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { subscriptionItemRoutes } from './resources/subscriptionItems.ts';
import { subscriptionScheduleRoutes } from './resources/subscriptionSchedules.ts';
import { invoicePreviewRoutes } from './resources/invoicePreview.ts';
import { invoiceRoutes } from './resources/invoices.ts';
import { eventRoutes } from './resources/events.ts';
import { creditNoteRoutes } from './resources/creditNotes.ts';
import { refundRoutes } from './resources/refunds.ts';
import { portalConfigurationRoutes } from './resources/portalConfigurations.ts';
import { portalRoutes } from './pages/portalPage.ts';
import { checkoutPageRoutes } from './pages/checkoutPage.ts';
import { invoicePageRoutes } from './pages/invoicePage.ts';

export const ALL_ROUTES: Route[] = [
  ...customerRoutes,
  ...productRoutes,
  ...priceRoutes,
  ...meterRoutes,
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
