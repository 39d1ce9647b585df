-- Coverage by agency and level, from the returns for the period's financial
-- year. target is the level's target from config (targets table, matched
-- ignoring case), else the default target.
-- gap = max(0, ceil(target * headcount) - trained); the product is rounded
-- to 9 decimals first, so 0.7 * 10 is 7 and not 7.000000000000001.
-- rag: green at or above target, amber within 10 points below, else red;
-- no_staff when headcount is 0 (no one in scope to train).
WITH returns AS (
    SELECT
        r.agency,
        r.level,
        r.headcount,
        r.trained,
        LOWER(TRIM(r.level)) AS level_key,
        p.default_target
    FROM agency_returns r
    CROSS JOIN params p
    WHERE r.year = p.fy
),
measured AS (
    SELECT
        r.agency,
        r.level,
        r.headcount,
        r.trained,
        CASE WHEN r.headcount > 0 THEN CAST(r.trained AS DOUBLE) / r.headcount END AS pct_trained,
        COALESCE(t.target, r.default_target) AS target
    FROM returns r
    LEFT JOIN targets t ON r.level_key = t.level_key
)
SELECT
    agency,
    level,
    headcount,
    trained,
    pct_trained,
    target,
    CAST(GREATEST(0, CEIL(ROUND(target * headcount, 9)) - trained) AS BIGINT) AS gap,
    CASE
        WHEN pct_trained IS NULL THEN 'no_staff'
        WHEN ROUND(pct_trained, 9) >= ROUND(target, 9) THEN 'green'
        WHEN ROUND(pct_trained, 9) >= ROUND(target - 0.10, 9) THEN 'amber'
        ELSE 'red'
    END AS rag
FROM measured
ORDER BY agency, level
