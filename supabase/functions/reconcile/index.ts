// Supabase Edge Function `reconcile`: the shared app serving this one function (src/http/routes/reconcile.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('reconcile');
