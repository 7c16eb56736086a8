// Supabase Edge Function `entitlement`: the shared app serving this one function (src/http/routes/entitlement.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('entitlement');
