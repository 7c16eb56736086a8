// Supabase Edge Function `change-plan`: the shared app serving this one function (src/http/routes/change-plan.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('change-plan');
