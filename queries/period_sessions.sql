-- Sessions in the period: every session of the sessions source, and each
-- session known only from attendance rows (its places and costs unknown).
--
-- cost is trainer_cost + venue_cost; a missing cost adds nothing, and a
-- session with neither has no cost.
SELECT
    s.session_id,
    s.course,
    s.quarter,
    COALESCE(s.mode, '(not recorded)') AS mode,
    COALESCE(s.level, '(not recorded)') AS level,
    s.places,
    CASE
        WHEN s.trainer_cost IS NULL AND s.venue_cost IS NULL THEN NULL
        ELSE COALESCE(s.trainer_cost, 0.0) + COALESCE(s.venue_cost, 0.0)
    END AS cost
FROM sessions s
CROSS JOIN params p
WHERE s.fy = p.fy AND (p.is_year = 1 OR s.quarter = p.period)

UNION ALL

SELECT
    session_id,
    MIN(course) AS course,
    MIN(quarter) AS quarter,
    MIN(mode) AS mode,
    MIN(level) AS level,
    CAST(NULL AS BIGINT) AS places,
    CAST(NULL AS DOUBLE) AS cost
FROM bookings
WHERE NOT listed_session
GROUP BY session_id
