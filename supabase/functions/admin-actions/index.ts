// Supabase Edge Function `admin-actions`: the shared app serving this one function (src/http/routes/admin-actions.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('admin-actions');
