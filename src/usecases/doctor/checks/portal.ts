/** `stripe.portal`: a portal configuration with what the dashboard relies on (see ../../portal-configuration.ts). */
import {
  findPortalConfiguration,
  PORTAL_METADATA_KEY,
  portalConfigurationGaps,
  portalConfigurationParams,
} from '../../portal-configuration.ts';
import { result, type Check } from '../types.ts';

export const portalCheck: Check = {
  id: 'stripe.portal',
  async run(ctx) {
    const config = await findPortalConfiguration(ctx.stripe);
    if (!config)
      return result('problem', 'no customer portal configuration: "Manage billing" is refused', 'run doctor --fix');
    const gaps = portalConfigurationGaps(config);
    if (gaps.length > 0) return result('problem', `${config.id}: ${gaps.join(', ')}`, 'run doctor --fix');
    return result(
      'ok',
      `${config.id}${config.is_default ? ' (the default)' : ''}: card update, invoices, cancel at period end, return URL`,
    );
  },
  async fix(ctx) {
    const config = await findPortalConfiguration(ctx.stripe);
    const params = portalConfigurationParams(ctx.config.websiteUrl);
    if (config?.metadata?.[PORTAL_METADATA_KEY])
      await ctx.stripe.billingPortal.configurations.update(config.id, {
        features: params.features,
        default_return_url: params.default_return_url,
      });
    else await ctx.stripe.billingPortal.configurations.create(params);
  },
};
