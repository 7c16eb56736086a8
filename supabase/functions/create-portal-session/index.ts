// Supabase Edge Function `create-portal-session`: the shared app serving this one function (src/http/routes/create-portal-session.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('create-portal-session');
