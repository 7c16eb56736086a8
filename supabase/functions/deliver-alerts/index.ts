// Supabase Edge Function `deliver-alerts`: the shared app serving this one function (src/http/routes/deliver-alerts.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('deliver-alerts');
