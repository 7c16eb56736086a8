// Supabase Edge Function `spend-cap`: the shared app serving this one function (src/http/routes/spend-cap.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('spend-cap');
