/**
 * `config`: the variables the deployed functions use are present and consistent. Malformed values never get here
 * (parseConfig refuses them, the public demo JWT secret and service-role key with a live key included); this
 * checks what a valid configuration can still get wrong for a deployment: a missing secret, localhost URLs
 * with real Stripe, and `--live` against the key's mode.
 */
import { result, type Check } from '../types.ts';

const isLoopback = (url: string) => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);

export const configCheck: Check = {
  id: 'config',
  async run(ctx) {
    const { config, live } = ctx;
    const mode = config.stripe.mode;
    const problems: string[] = [];
    if (live && mode !== 'live')
      problems.push(`--live given but STRIPE_SECRET_KEY is ${mode === 'emulator' ? 'unset (emulator)' : 'a test key'}`);
    // A value `--fix` just produced counts: it is printed with the line that sets it.
    if (!config.stripe.webhookSecret && !ctx.state.createdEndpointSecret) problems.push('STRIPE_WEBHOOK_SECRET unset');
    if (!config.stripe.setupFeePriceId && !ctx.state.setupFeePriceId) problems.push('STRIPE_SETUP_FEE_PRICE_ID unset');
    if (!config.publicFunctionsUrl) problems.push('PUBLIC_FUNCTIONS_URL unset');
    if (mode !== 'emulator') {
      if (config.database.kind !== 'postgres')
        problems.push('DATABASE_URL unset: doctor would check a local PGlite, not the project');
      if (isLoopback(config.websiteUrl))
        problems.push('WEBSITE_URL is local: Checkout would return customers to localhost');
      if (config.publicFunctionsUrl && isLoopback(config.publicFunctionsUrl))
        problems.push('PUBLIC_FUNCTIONS_URL is local: Stripe cannot reach it');
    }
    if (mode === 'live' && config.publicFunctionsUrl && !config.publicFunctionsUrl.startsWith('https://'))
      problems.push('PUBLIC_FUNCTIONS_URL must be https in live mode');
    if (problems.length > 0)
      return result('problem', problems.join('; '), 'set them in .env or the environment (see .env.example)');
    return result(
      'ok',
      `Stripe ${mode}${config.stripe.apiBase ? ` at ${config.stripe.apiBase.origin}` : ''}, ${config.database.kind}, every variable set`,
    );
  },
};
