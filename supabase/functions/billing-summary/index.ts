// Supabase Edge Function `billing-summary`: the shared app serving this one function (src/http/routes/billing-summary.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('billing-summary');
