// Supabase Edge Function `deliver-usage`: the shared app serving this one function (src/http/routes/deliver-usage.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('deliver-usage');
