// Supabase Edge Function `resume-subscription`: the shared app serving this one function (src/http/routes/resume-subscription.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('resume-subscription');
