// Supabase Edge Function `plans`: the shared app serving this one function (src/http/routes/plans.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('plans');
