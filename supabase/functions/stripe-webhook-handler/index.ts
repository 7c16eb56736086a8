// Supabase Edge Function `stripe-webhook-handler`: the shared app serving this one function (src/http/routes/stripe-webhook-handler.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('stripe-webhook-handler');
