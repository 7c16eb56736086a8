-- Schedules `reconcile` once a day (04:17 UTC, away from the hour) where the database has pg_cron and pg_net
-- (Supabase), exactly as 20261201000500_schedule_deliver_usage.sql schedules deliver-usage
-- (supabase.com/docs/guides/functions/schedule-functions): the functions' base URL and a backend key are read from
-- Vault when the job runs (`aisyst_functions_url`, `aisyst_service_key`, made by `aisyst-billing doctor --fix`), so
-- no secret is written here. The run only checks and records (no repair: that stays `aisyst-billing reconcile
-- --repair`); the operator console shows its drift. Without the extensions (PGlite, plain PostgreSQL) this does
-- nothing but say so.
do $migration$
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron')
     or not exists (select 1 from pg_available_extensions where name = 'pg_net') then
    raise notice 'pg_cron / pg_net not available: reconcile is not scheduled here (run aisyst-billing reconcile)';
    return;
  end if;
  begin
    create extension if not exists pg_cron;
    create schema if not exists extensions;
    create extension if not exists pg_net with schema extensions;
    execute $sql$
      select cron.schedule('aisyst-reconcile', '17 4 * * *', $job$
        select net.http_post(
          url := (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_functions_url') || '/reconcile',
          headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
            'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_service_key')),
          body := '{}'::jsonb)
      $job$)
    $sql$;
  exception when others then
    raise notice 'reconcile not scheduled: % (run aisyst-billing doctor)', sqlerrm;
  end;
end
$migration$;
