// Supabase Edge Function `admin-overview`: the shared app serving this one function (src/http/routes/admin-overview.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('admin-overview');
