-- Each due session's evaluation items: the forms with both a before and an
-- after score for the item, the mean of each and the mean change.
--
-- Tables: session_summaries (the query before), evaluation_scores.
SELECT
    e.session_id,
    e.item,
    CAST(COUNT(*) AS BIGINT) AS forms,
    AVG(e.pre) AS pre_mean,
    AVG(e.post) AS post_mean,
    AVG(e.post - e.pre) AS change
FROM evaluation_scores e
JOIN session_summaries s ON e.session_id = s.session_id
WHERE e.pre IS NOT NULL AND e.post IS NOT NULL
GROUP BY e.session_id, e.item
ORDER BY e.session_id, e.item
