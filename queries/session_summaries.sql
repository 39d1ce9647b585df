-- Session summaries: one row per session of the sessions source held on or
-- before params.due_by (the run date less the days a summary waits), with
-- its bookings and its evaluation forms (those linked to a trained delegate).
--
-- booked: registrations (attended, no-show, late or on-time cancellation);
-- attended, walk_ins, no_shows: rows with that final status; forms: linked
-- evaluation forms; satisfaction_mean and relevance_mean over the forms that
-- answered; mean_change: the mean of after minus before over every item
-- score that has both.
--
-- Tables: sessions, attendance, evaluations, evaluation_scores, params.
WITH due AS (
    SELECT s.session_id, s.course, s.session_date, s.mode, s.facilitator, s.places
    FROM sessions s
    CROSS JOIN params p
    WHERE s.session_date <= p.due_by
),
booked AS (
    SELECT
        session_id,
        CAST(SUM(CASE WHEN status IN ('attended', 'dna', 'late_cancellation', 'cancelled') THEN 1 ELSE 0 END) AS BIGINT) AS booked,
        CAST(SUM(CASE WHEN status = 'attended' THEN 1 ELSE 0 END) AS BIGINT) AS attended,
        CAST(SUM(CASE WHEN status = 'walk_in' THEN 1 ELSE 0 END) AS BIGINT) AS walk_ins,
        CAST(SUM(CASE WHEN status = 'dna' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows
    FROM attendance
    GROUP BY session_id
),
forms AS (
    SELECT
        session_id,
        CAST(COUNT(*) AS BIGINT) AS forms,
        AVG(satisfaction) AS satisfaction_mean,
        AVG(relevance) AS relevance_mean
    FROM evaluations
    GROUP BY session_id
),
changes AS (
    SELECT session_id, AVG(post - pre) AS mean_change
    FROM evaluation_scores
    WHERE pre IS NOT NULL AND post IS NOT NULL
    GROUP BY session_id
)
SELECT
    d.session_id,
    d.course,
    d.session_date,
    d.mode,
    d.facilitator,
    d.places,
    CAST(COALESCE(b.booked, 0) AS BIGINT) AS booked,
    CAST(COALESCE(b.attended, 0) AS BIGINT) AS attended,
    CAST(COALESCE(b.walk_ins, 0) AS BIGINT) AS walk_ins,
    CAST(COALESCE(b.no_shows, 0) AS BIGINT) AS no_shows,
    CAST(COALESCE(f.forms, 0) AS BIGINT) AS forms,
    f.satisfaction_mean,
    f.relevance_mean,
    c.mean_change
FROM due d
LEFT JOIN booked b ON d.session_id = b.session_id
LEFT JOIN forms f ON d.session_id = f.session_id
LEFT JOIN changes c ON d.session_id = c.session_id
ORDER BY d.session_date, d.session_id
