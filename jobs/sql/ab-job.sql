-- ab-job.sql: the email A/B-test job of jobs/ab-job (AbTestJob) in Flink SQL, run as one
-- streaming job by jobs/sql-runner (SqlRunner: SET and DDL in order, then every INSERT of the
-- script together as one job). Wire formats: DESIGN.md "Wire format (v1, JSON)".
--
-- What it computes
--   ab_events   the input topic as JSON; rowtime = event_time_ms, watermark = the largest
--               rowtime so far - out_of_orderness - 1 ms (as the DataStream job's bounded
--               out-of-orderness watermarks), generated per Kafka partition inside the source
--               (watermark push-down). `flush` records (seq -1) are read like any record, so they
--               advance the watermark; the filters below only keep them out of the outputs.
--   ab_input    the events that are neither flush nor malformed, each flagged is_late when its
--               rowtime is at or behind the watermark this operator (the first after the source,
--               as the DataStream job's late-filter) has seen: CURRENT_WATERMARK(rowtime).
--   ab_deduped  the non-late events with their status: the first human (bot = false) open of a
--               (campaign, recipient) is 'accepted', later ones 'duplicate'; the same for clicks
--               (a COUNT(*) OVER (campaign, recipient, type) in processing-time order: arrival
--               order, as the DataStream job's keyed dedupe); bot opens/clicks and every other
--               type are 'accepted' and hold no state.
--   updates     one record per non-flush input event, emitted as soon as the event is processed
--               (processing-time OVER aggregations, no wait for watermarks or windows): seq,
--               intended_ns, event_time_ms, status, type, campaign, variant, and counts: the
--               running totals of the event's (campaign, variant) after it (a SUM OVER (campaign,
--               variant) in processing-time order). A late event's update has status 'late' and
--               no counts. Append-only: no retractions.
--   windows     per window.function window on the rowtime and (campaign, variant): campaign,
--               variant, window_start_ms, window_end_ms (epoch ms), events (the non-late events),
--               max_intended_ns and counts (sends, deliveries, bounces, opens, bot_opens,
--               unique_opens, clicks, unique_clicks, conversions, unsubscribes) for the window
--               alone. opens/clicks count every non-late open/click (duplicates and bots
--               included), bot_opens the bot opens, unique_* the opens/clicks whose status is
--               'accepted' and that are human: uniqueness is global (the dedupe above, over the
--               whole run), not per window, as in the DataStream job. One final record per window
--               and key when the watermark passes its end (window TVF aggregation: append-only).
--
-- Placeholders: written in double braces in the statements below (never in a comment, so that
-- a value spanning lines cannot leak out of one), replaced textually before submission; every
-- one must be replaced.
--   kafka.bootstrap               bootstrap servers
--   topics.input                  input topic
--   topics.updates                updates topic
--   topics.windows                windows topic
--   group.id                      consumer group id of the source
--   kafka.sql_options             '' or a fragment starting with a comma, appended inside every
--                                 WITH (...) list (source and sinks), e.g.
--                                 , 'properties.security.protocol' = 'SASL_SSL', ...
--   job.out_of_orderness_ms       watermark bound, ms (an integer)
--   window.function               TUMBLE or HOP
--   window.interval_args          TUMBLE: the size; HOP: the slide, the size; as Flink interval
--                                 literals, e.g. INTERVAL '0 00:00:10.000' DAY TO SECOND(3) for
--                                 10000 ms. (Flink 2.2's SQL parser has no MILLISECOND unit, so
--                                 INTERVAL '10000' MILLISECOND is a parse error; and
--                                 INTERVAL 'n.fff' SECOND takes at most 2 digits, 99 s.)
--   job.delivery                  at-least-once or exactly-once (sink.delivery-guarantee)
--   job.transactional_id_prefix   prefix of the sinks' transactional ids (+ -updates / -windows)
--
-- Known differences from the DataStream job (jobs/ab-job)
--   * Late events: the same definition (rowtime <= the watermark at the operator after the
--     source) and the same outcome: a 'late' update without counts; the event is neither
--     de-duplicated nor counted nor windowed (so it cannot claim a recipient's first open).
--     There is no allowed lateness (no late firings) and no lateEvents counter.
--   * Input: JSON only (workload.encoding: json). A binary-encoded or malformed record is
--     skipped silently ('json.ignore-parse-errors'): no update, no malformedRecords counter; a
--     record without seq/event_time_ms/campaign/variant/recipient or with an unknown type too.
--   * Dedupe state has no TTL: the DataStream job forgets a (campaign, recipient) job.state_ttl
--     (event time) after its first open/click, after which an open is accepted again; here the
--     OVER aggregation keeps one counter per (campaign, recipient, type) of a human open/click for
--     the job's lifetime ('table.exec.state.ttl' would also expire the running counts, so none is
--     set). Within a run shorter than the TTL the statuses are the same.
--   * Source idleness (job.idleness) is not set here: the harness passes it as
--     'table.exec.source.idle-timeout' in the job's Flink configuration, which the table
--     environment inherits (SqlRunner creates it on the cluster context's environment). Without
--     it a partition that gets no records holds the watermark back until the final flush.
--   * Windows: TUMBLE and HOP only (no sessions, no allowed lateness), no salting, no per-stage
--     parallelism, no per-event CPU cost (job.cost_per_event), no updates sampling
--     (job.updates_sample); job.serializer does not apply (the planner's own row serializers).
--     The sinks keep the Kafka producer's default linger.ms: job.sink_linger is not applied (a
--     'properties.linger.ms' option in the sinks' WITH lists would set it). Parallelism,
--     checkpointing, state backend, buffer timeout, chaining and object reuse reach the job
--     through the Flink configuration the harness submits it with.
--   * Running counts on updates follow the order in which events reach the counts aggregation,
--     which interleaves the dedupe branch and the pass-through branch (as the DataStream job's
--     counts interleave its dedupe subtasks): each update's counts include the event itself.
--   * Operator names and uids are the planner's: savepoints do not carry over between this job and
--     the DataStream job, nor across changes of this script.
--   * 'table.local-time-zone' is UTC so that windows are aligned to the epoch (as Flink's
--     DataStream windows are) and window_start_ms/window_end_ms convert back exactly.

SET 'table.local-time-zone' = 'UTC';

CREATE TEMPORARY TABLE ab_events (
  seq           BIGINT,
  intended_ns   BIGINT,
  event_time_ms BIGINT,
  `type`        STRING,
  campaign      INT,
  `variant`     STRING,
  recipient     BIGINT,
  bot           BOOLEAN,
  rowtime AS TO_TIMESTAMP_LTZ(event_time_ms, 3),
  proctime AS PROCTIME(),
  -- INTERVAL '0.001' SECOND: Flink's SQL parser has no MILLISECOND interval unit.
  WATERMARK FOR rowtime AS rowtime - INTERVAL '0.001' SECOND * ({{job.out_of_orderness_ms}} + 1)
) WITH (
  'connector' = 'kafka',
  'topic' = '{{topics.input}}',
  'properties.bootstrap.servers' = '{{kafka.bootstrap}}',
  'properties.group.id' = '{{group.id}}',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
  {{kafka.sql_options}}
);

CREATE TEMPORARY TABLE ab_updates (
  seq           BIGINT,
  intended_ns   BIGINT,
  event_time_ms BIGINT,
  status        STRING,
  `type`        STRING,
  campaign      INT,
  `variant`     STRING,
  counts ROW<sends BIGINT, deliveries BIGINT, bounces BIGINT, opens BIGINT, bot_opens BIGINT,
             unique_opens BIGINT, clicks BIGINT, unique_clicks BIGINT, conversions BIGINT,
             unsubscribes BIGINT>
) WITH (
  'connector' = 'kafka',
  'topic' = '{{topics.updates}}',
  'properties.bootstrap.servers' = '{{kafka.bootstrap}}',
  'format' = 'json',
  'json.encode.ignore-null-fields' = 'true',
  'sink.delivery-guarantee' = '{{job.delivery}}',
  'sink.transactional-id-prefix' = '{{job.transactional_id_prefix}}-updates',
  'properties.transaction.timeout.ms' = '600000'
  {{kafka.sql_options}}
);

CREATE TEMPORARY TABLE ab_windows (
  campaign        INT,
  `variant`       STRING,
  window_start_ms BIGINT,
  window_end_ms   BIGINT,
  events          BIGINT,
  max_intended_ns BIGINT,
  counts ROW<sends BIGINT, deliveries BIGINT, bounces BIGINT, opens BIGINT, bot_opens BIGINT,
             unique_opens BIGINT, clicks BIGINT, unique_clicks BIGINT, conversions BIGINT,
             unsubscribes BIGINT>
) WITH (
  'connector' = 'kafka',
  'topic' = '{{topics.windows}}',
  'properties.bootstrap.servers' = '{{kafka.bootstrap}}',
  'format' = 'json',
  'sink.delivery-guarantee' = '{{job.delivery}}',
  'sink.transactional-id-prefix' = '{{job.transactional_id_prefix}}-windows',
  'properties.transaction.timeout.ms' = '600000'
  {{kafka.sql_options}}
);

-- Non-flush, well-formed events, flagged late or not (see the header).
CREATE TEMPORARY VIEW ab_input AS
SELECT
  seq, intended_ns, event_time_ms, `type`, campaign, `variant`, recipient,
  COALESCE(bot, FALSE) AS bot,
  rowtime, proctime,
  COALESCE(rowtime <= CURRENT_WATERMARK(rowtime), FALSE) AS is_late
FROM ab_events
WHERE seq >= 0
  AND `type` IN ('send', 'delivery', 'bounce', 'open', 'click', 'conversion', 'unsubscribe')
  AND intended_ns IS NOT NULL AND event_time_ms IS NOT NULL
  AND campaign IS NOT NULL AND `variant` IS NOT NULL AND recipient IS NOT NULL;

-- Dedupe: only human opens and clicks go through the keyed OVER aggregation (and hold state);
-- everything else is accepted as it is.
CREATE TEMPORARY VIEW ab_deduped AS
SELECT seq, intended_ns, event_time_ms, `type`, campaign, `variant`, bot, rowtime, proctime,
       CAST(IF(seen = 1, 'accepted', 'duplicate') AS STRING) AS status
FROM (
  SELECT seq, intended_ns, event_time_ms, `type`, campaign, `variant`, bot, rowtime, proctime,
         COUNT(*) OVER (
           PARTITION BY campaign, recipient, `type`
           ORDER BY proctime
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seen
  FROM ab_input
  WHERE NOT is_late AND NOT bot AND `type` IN ('open', 'click')
)
UNION ALL
SELECT seq, intended_ns, event_time_ms, `type`, campaign, `variant`, bot, rowtime, proctime,
       CAST('accepted' AS STRING) AS status
FROM ab_input
WHERE NOT is_late AND (bot OR `type` NOT IN ('open', 'click'));

-- What each de-duplicated event adds to each counter (as Counts.add of the DataStream job).
CREATE TEMPORARY VIEW ab_counted AS
SELECT seq, intended_ns, event_time_ms, status, `type`, campaign, `variant`, rowtime, proctime,
       CAST(IF(`type` = 'send', 1, 0) AS BIGINT) AS n_sends,
       CAST(IF(`type` = 'delivery', 1, 0) AS BIGINT) AS n_deliveries,
       CAST(IF(`type` = 'bounce', 1, 0) AS BIGINT) AS n_bounces,
       CAST(IF(`type` = 'open', 1, 0) AS BIGINT) AS n_opens,
       CAST(IF(`type` = 'open' AND bot, 1, 0) AS BIGINT) AS n_bot_opens,
       CAST(IF(`type` = 'open' AND NOT bot AND status = 'accepted', 1, 0) AS BIGINT) AS n_unique_opens,
       CAST(IF(`type` = 'click', 1, 0) AS BIGINT) AS n_clicks,
       CAST(IF(`type` = 'click' AND NOT bot AND status = 'accepted', 1, 0) AS BIGINT) AS n_unique_clicks,
       CAST(IF(`type` = 'conversion', 1, 0) AS BIGINT) AS n_conversions,
       CAST(IF(`type` = 'unsubscribe', 1, 0) AS BIGINT) AS n_unsubscribes
FROM ab_deduped;

-- Updates: one per event at once, with the running counts of its (campaign, variant); late
-- events get a 'late' update without counts.
INSERT INTO ab_updates
SELECT seq, intended_ns, event_time_ms, status, `type`, campaign, `variant`,
       CAST(ROW(sends, deliveries, bounces, opens, bot_opens, unique_opens, clicks, unique_clicks,
                conversions, unsubscribes)
            AS ROW<sends BIGINT, deliveries BIGINT, bounces BIGINT, opens BIGINT, bot_opens BIGINT,
                   unique_opens BIGINT, clicks BIGINT, unique_clicks BIGINT, conversions BIGINT,
                   unsubscribes BIGINT>) AS counts
FROM (
  SELECT seq, intended_ns, event_time_ms, status, `type`, campaign, `variant`,
         SUM(n_sends) OVER w AS sends,
         SUM(n_deliveries) OVER w AS deliveries,
         SUM(n_bounces) OVER w AS bounces,
         SUM(n_opens) OVER w AS opens,
         SUM(n_bot_opens) OVER w AS bot_opens,
         SUM(n_unique_opens) OVER w AS unique_opens,
         SUM(n_clicks) OVER w AS clicks,
         SUM(n_unique_clicks) OVER w AS unique_clicks,
         SUM(n_conversions) OVER w AS conversions,
         SUM(n_unsubscribes) OVER w AS unsubscribes
  FROM ab_counted
  WINDOW w AS (
    PARTITION BY campaign, `variant`
    ORDER BY proctime
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
UNION ALL
SELECT seq, intended_ns, event_time_ms, CAST('late' AS STRING) AS status, `type`, campaign, `variant`,
       CAST(NULL AS ROW<sends BIGINT, deliveries BIGINT, bounces BIGINT, opens BIGINT, bot_opens BIGINT,
                        unique_opens BIGINT, clicks BIGINT, unique_clicks BIGINT, conversions BIGINT,
                        unsubscribes BIGINT>) AS counts
FROM ab_input
WHERE is_late;

-- Windows: one final record per window and (campaign, variant). window_start/window_end are
-- TIMESTAMP(3) in the session time zone, UTC (see the SET above), so EXTRACT gives epoch ms.
INSERT INTO ab_windows
SELECT campaign, `variant`,
       EXTRACT(EPOCH FROM window_start) * 1000 + EXTRACT(MILLISECOND FROM window_start) AS window_start_ms,
       EXTRACT(EPOCH FROM window_end) * 1000 + EXTRACT(MILLISECOND FROM window_end) AS window_end_ms,
       COUNT(*) AS events,
       MAX(intended_ns) AS max_intended_ns,
       CAST(ROW(SUM(n_sends), SUM(n_deliveries), SUM(n_bounces), SUM(n_opens), SUM(n_bot_opens),
                SUM(n_unique_opens), SUM(n_clicks), SUM(n_unique_clicks), SUM(n_conversions),
                SUM(n_unsubscribes))
            AS ROW<sends BIGINT, deliveries BIGINT, bounces BIGINT, opens BIGINT, bot_opens BIGINT,
                   unique_opens BIGINT, clicks BIGINT, unique_clicks BIGINT, conversions BIGINT,
                   unsubscribes BIGINT>) AS counts
FROM TABLE({{window.function}}(TABLE ab_counted, DESCRIPTOR(rowtime), {{window.interval_args}}))
GROUP BY window_start, window_end, campaign, `variant`;
