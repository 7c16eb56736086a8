// Supabase Edge Function `organisations`: the shared app serving this one function (src/http/routes/organisations.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('organisations');
