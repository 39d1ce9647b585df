-- The Kirkpatrick funnel for the period: one row a stage, with its share of
-- the stage it is drawn from (of_stage).
WITH evaluated AS (
    -- Linked forms with any post score.
    SELECT e.link
    FROM evaluation_scores e
    JOIN bookings b ON e.link = b.link
    WHERE b.trained = 1
    GROUP BY e.link
    HAVING COUNT(e.post) > 0
),
stages AS (
    SELECT 1 AS position, 'registrations' AS stage,
           CAST(COALESCE(SUM(CASE WHEN status <> 'walk_in' THEN 1 ELSE 0 END), 0) AS BIGINT) AS count,
           CAST(NULL AS VARCHAR) AS of_stage
    FROM bookings
    UNION ALL
    SELECT 2 AS position, 'trained' AS stage, CAST(COALESCE(SUM(trained), 0) AS BIGINT) AS count,
           'registrations' AS of_stage
    FROM bookings
    UNION ALL
    SELECT 3 AS position, 'evaluated' AS stage, CAST(COUNT(*) AS BIGINT) AS count, 'trained' AS of_stage
    FROM evaluated
    UNION ALL
    SELECT 4 AS position, 'paired' AS stage, CAST(COUNT(*) AS BIGINT) AS count, 'evaluated' AS of_stage
    FROM paired_forms
    UNION ALL
    SELECT 5 AS position, 'impact_eligible' AS stage, CAST(COALESCE(SUM(eligible), 0) AS BIGINT) AS count,
           'trained' AS of_stage
    FROM impact_groups WHERE dimension = 'overall'
    UNION ALL
    SELECT 6 AS position, 'impact_responses' AS stage, CAST(COALESCE(SUM(responses), 0) AS BIGINT) AS count,
           'impact_eligible' AS of_stage
    FROM impact_groups WHERE dimension = 'overall'
)
SELECT
    s.stage,
    s.count,
    s.of_stage,
    CASE WHEN o.count > 0 THEN CAST(s.count AS DOUBLE) / o.count END AS share
FROM stages s
LEFT JOIN stages o ON s.of_stage = o.stage
ORDER BY s.position
