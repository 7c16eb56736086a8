-- Schedules `deliver-usage` every minute where the database has pg_cron and pg_net (Supabase), so that meter
-- deliveries the inline attempt could not make are retried without a manual step
-- (supabase.com/docs/guides/functions/schedule-functions). The job reads the functions' base URL and a backend
-- key from Vault when it runs — secrets `aisyst_functions_url` and `aisyst_service_key` — so no secret is written
-- into a migration; `aisyst-billing doctor --fix` creates them from PUBLIC_FUNCTIONS_URL and the service key.
-- Where the extensions are not available (PGlite, plain PostgreSQL) this does nothing but say so: the local stack
-- runs the deliverer itself. Where pg_cron is available but cannot be loaded (not in shared_preload_libraries),
-- it says so too rather than failing the migration.
do $migration$
begin
  if not exists (select 1 from pg_available_extensions where name = 'pg_cron')
     or not exists (select 1 from pg_available_extensions where name = 'pg_net') then
    raise notice 'pg_cron / pg_net not available: deliver-usage is not scheduled here (the local stack runs the deliverer itself)';
    return;
  end if;
  begin
    create extension if not exists pg_cron;
    create schema if not exists extensions;
    create extension if not exists pg_net with schema extensions;
    execute $sql$
      select cron.schedule('aisyst-deliver-usage', '* * * * *', $job$
        select net.http_post(
          url := (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_functions_url') || '/deliver-usage',
          headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization',
            'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'aisyst_service_key')),
          body := '{}'::jsonb)
      $job$)
    $sql$;
  exception when others then
    raise notice 'deliver-usage not scheduled: % (run aisyst-billing doctor)', sqlerrm;
  end;
end
$migration$;
