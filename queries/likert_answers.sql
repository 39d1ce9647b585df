-- How many gave each score to each item before and after the course, over
-- the paired items of the period: the diverging bars of the report.
WITH answers AS (
    SELECT item, 'pre' AS phase, pre AS score, scale_min, scale_max FROM paired_items
    UNION ALL
    SELECT item, 'post' AS phase, post AS score, scale_min, scale_max FROM paired_items
)
SELECT
    item,
    phase,
    score,
    COUNT(*) AS answers,
    MIN(scale_min) AS scale_min,
    MAX(scale_max) AS scale_max
FROM answers
GROUP BY item, phase, score
ORDER BY item, phase DESC, score
