// Supabase Edge Function `voice-webhook`: the voice platforms' call-ended webhooks at /voice-webhook/<platform>
// (src/http/routes/voice-webhook.ts).
import { serveFunction } from '../_shared/function-app.ts';

serveFunction('voice-webhook');
