// Supabase Edge Function `create-checkout-session`: the shared app serving this one function (src/http/routes/create-checkout-session.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('create-checkout-session');
