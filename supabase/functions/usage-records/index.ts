// Supabase Edge Function `usage-records`: the shared app serving this one function (src/http/routes/usage-records.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('usage-records');
