/**
 * The 10,000 recorded runs the scale tests share (workers and node): one SQL statement,
 * no runtime imports but drizzle's sql tag.
 */
import { sql } from "drizzle-orm";

export const RUN_COUNT = 10_000;

/**
 * 10,000 runs, newest first every 15 minutes (about 95 days, so some are past the
 * retention): mostly cron runs, some failed, held, dry; and every tenth slot a manual run
 * with a cron tick recorded as skipped 0.4 ms after it, in the same millisecond.
 */
export const insertRuns = sql`
  with slots as (select i, date_trunc('milliseconds', now()) - i * interval '15 minutes' + interval '100 microseconds' as t
                   from generate_series(1, ${Math.round(RUN_COUNT / 1.1)}) i)
  insert into sync_runs (id, trigger, status, started_at, completed_at, duration_ms, counts, warnings, errors, bakalari_requests, statements)
  select gen_random_uuid(),
         case when i % 10 = 0 then 'manual' else 'cron' end,
         case when i % 97 = 0 then 'fail' when i % 89 = 0 then 'held' when i % 83 = 0 then 'dry_run' else 'ok' end,
         t, t + interval '3 seconds', 3000,
         '{"classes":{"created":0,"updated":0,"unchanged":40,"deactivated":0,"reactivated":0},"subjects":{"created":0,"updated":1,"unchanged":30,"deactivated":0,"reactivated":0},"users":{"created":2,"updated":5,"unchanged":1100,"deactivated":1,"reactivated":0},"enrollments":{"created":20,"updated":0,"unchanged":16000,"deactivated":8,"reactivated":0}}'::jsonb,
         '[]'::jsonb,
         case when i % 97 = 0 then '[{"code":"BAKALARI_UNAVAILABLE","message":"GET /api/3/timetable/permanent failed after 4 attempts (last: HTTP 503)"}]'::jsonb else '[]'::jsonb end,
         300, 24
    from slots
  union all
  select gen_random_uuid(), 'cron', 'skipped', t + interval '400 microseconds', t + interval '400 microseconds', 0, null,
         '[{"code":"SYNC_RUNNING","message":"Another run was in progress"}]'::jsonb, '[]'::jsonb, 0, 0
    from slots where i % 10 = 0`;
