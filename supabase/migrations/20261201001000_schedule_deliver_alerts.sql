-- Schedules `deliver-alerts` (the usage-alert outbox, 20261201000900_usage_alerts.sql) every minute where the database
-- has pg_cron and pg_net (Supabase), as 20261201000500_schedule_deliver_usage.sql does for `deliver-usage`: alerts the
-- inline attempt could not send (a mail server outage) go out without a manual step
-- (supabase.com/docs/guides/functions/schedule-functions). The same Vault secrets (`aisyst_functions_url`,
-- `aisyst_service_key`, made by `aisyst-billing doctor --fix`); elsewhere (PGlite, plain PostgreSQL) this only says
-- so: the local stack runs its own alert deliverer.
do $migration$
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron')
     or not exists (select 1 from pg_available_extensions where name = 'pg_net') then
    raise notice 'pg_cron / pg_net not available: deliver-alerts is not scheduled here (the local stack runs the deliverer itself)';
    return;
  end if;
  begin
    create extension if not exists pg_cron;
    create schema if not exists extensions;
    create extension if not exists pg_net with schema extensions;
    execute $sql$
      select cron.schedule('aisyst-deliver-alerts', '* * * * *', $job$
        select net.http_post(
          url := (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_functions_url') || '/deliver-alerts',
          headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
            'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_service_key')),
          body := '{}'::jsonb)
      $job$)
    $sql$;
  exception when others then
    raise notice 'deliver-alerts not scheduled: % (run aisyst-billing doctor)', sqlerrm;
  end;
end
$migration$;
