-- Impact items from eligible delegates' responses: mean score and pct_agree,
-- the share scoring 4 or more (defined for items on a 1-5 scale).
SELECT
    i.item,
    COUNT(*) AS responses,
    AVG(i.score) AS mean,
    CASE
        WHEN MIN(i.scale_min) = 1 AND MAX(i.scale_max) = 5 THEN
            CAST(SUM(CASE WHEN i.score >= 4 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*)
    END AS pct_agree,
    MIN(i.scale_min) AS scale_min,
    MAX(i.scale_max) AS scale_max
FROM impact_scores i
JOIN bookings b ON i.link = b.link
CROSS JOIN params p
WHERE b.trained = 1 AND b.session_date <= p.follow_up_cutoff
GROUP BY i.item
ORDER BY i.item
