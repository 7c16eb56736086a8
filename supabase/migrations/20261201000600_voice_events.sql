-- Call-ended webhooks of the voice platforms (ElevenLabs, Twilio, LiveKit → POST voice-webhook/<platform>).
-- Every verified platform event is stored once, keyed by (platform, event id), BEFORE it is answered; then the call
-- is billed through record_usage under the call_id `<platform>:<platform call id>`, so a redelivery, a replay or a
-- race of both adds nothing to the ledger (usage_records.call_id is unique).
create table if not exists public.voice_events (
  platform text not null check (platform in ('elevenlabs', 'twilio', 'livekit')),
  -- ElevenLabs: conversation_id:type; Twilio: CallSid:CallStatus; LiveKit: the event's id.
  event_id text not null,
  event_type text not null,
  received_at timestamptz not null default now(),
  -- The call's facts, null for an event we ignore (not a finished call).
  call_id text,
  duration_seconds numeric(12, 3) check (duration_seconds >= 0),
  ended_at timestamptz,
  -- Who pays: the org named in the call's own metadata (as sent, may be wrong), else the platform's id a link names.
  metadata_org_id text,
  external_id text,
  org_id uuid references public.organisations (id) on delete set null,
  -- received: stored, not yet billed (a crash in between: the redelivery or a replay bills it);
  -- billed / unbilled (recorded, no active subscription, as report-usage) / unattributed (no organisation) /
  -- failed (the ledger refused it: reason) / ignored (not a finished call).
  status text not null default 'received' check (status in ('received', 'billed', 'unbilled', 'unattributed', 'failed', 'ignored')),
  reason text,
  processed_at timestamptz,
  primary key (platform, event_id)
);

create index if not exists voice_events_pending_idx on public.voice_events (received_at)
  where status in ('received', 'unattributed', 'failed');

-- Operators' links: which organisation pays for a platform agent (ElevenLabs agent_id, the AiSyst phone number of
-- a Twilio call, a LiveKit room name prefix) when the call's metadata does not say.
create table if not exists public.voice_agent_links (
  platform text not null check (platform in ('elevenlabs', 'twilio', 'livekit')),
  external_id text not null check (length(external_id) between 1 and 255),
  org_id uuid not null references public.organisations (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (platform, external_id)
);

create index if not exists voice_agent_links_org_idx on public.voice_agent_links (org_id);

alter table public.voice_events enable row level security;
alter table public.voice_agent_links enable row level security;
revoke all on table public.voice_events, public.voice_agent_links from anon, authenticated;
grant all on table public.voice_events, public.voice_agent_links to service_role;
-- No policies: only the service role (bypassing RLS) reads or writes these, as with stripe_events.
