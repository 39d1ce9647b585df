-- Reaction (Kirkpatrick level 1) by course and overall: satisfaction on the
-- evaluation form. pct_satisfied is the share scoring 4 or more on 1-5.
WITH rated AS (
    SELECT b.course, v.satisfaction, v.relevance
    FROM evaluations v
    JOIN bookings b ON v.link = b.link
    WHERE b.trained = 1
),
groups AS (
    SELECT 'course' AS dimension, course AS key, satisfaction, relevance FROM rated
    UNION ALL
    SELECT 'overall' AS dimension, 'All' AS key, satisfaction, relevance FROM rated
)
SELECT
    dimension,
    key,
    COUNT(satisfaction) AS responses,
    AVG(satisfaction) AS satisfaction_mean,
    CASE
        WHEN COUNT(satisfaction) > 0 THEN
            CAST(SUM(CASE WHEN satisfaction >= 4 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(satisfaction)
    END AS pct_satisfied,
    AVG(relevance) AS relevance_mean
FROM groups
GROUP BY dimension, key
ORDER BY dimension, key
