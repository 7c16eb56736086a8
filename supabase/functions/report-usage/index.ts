// Supabase Edge Function `report-usage`: the shared app serving this one function (src/http/routes/report-usage.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('report-usage');
