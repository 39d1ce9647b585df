-- Impact (Kirkpatrick level 3) by course and overall.
-- eligible: trained delegates whose session_date + follow_up_days is on or
-- before as_of (params.follow_up_cutoff is as_of - follow_up_days).
-- responses: their impact responses (one per session and delegate).
-- applied_rate: share answering yes, among responses that answered.
WITH eligible AS (
    SELECT b.session_id, b.delegate_id, b.course
    FROM bookings b
    CROSS JOIN params p
    WHERE b.trained = 1 AND b.session_date <= p.follow_up_cutoff
),
answers AS (
    SELECT session_id, delegate_id, 1 AS responded,
           CASE WHEN applied_learning THEN 1 ELSE 0 END AS applied,
           CASE WHEN applied_learning IS NOT NULL THEN 1 ELSE 0 END AS answered_applied
    FROM impact
),
followed AS (
    SELECT e.course, a.responded, a.applied, a.answered_applied
    FROM eligible e
    LEFT JOIN answers a ON e.session_id = a.session_id AND e.delegate_id = a.delegate_id
),
groups AS (
    SELECT 'course' AS dimension, course AS key, responded, applied, answered_applied FROM followed
    UNION ALL
    SELECT 'overall' AS dimension, 'All' AS key, responded, applied, answered_applied FROM followed
),
counts AS (
    SELECT
        dimension,
        key,
        COUNT(*) AS eligible,
        COUNT(responded) AS responses,
        COALESCE(SUM(applied), 0) AS applied,
        COALESCE(SUM(answered_applied), 0) AS answered_applied
    FROM groups
    GROUP BY dimension, key
)
SELECT
    dimension,
    key,
    eligible,
    responses,
    CASE WHEN eligible > 0 THEN CAST(responses AS DOUBLE) / eligible END AS response_rate,
    CASE WHEN answered_applied > 0 THEN CAST(applied AS DOUBLE) / answered_applied END AS applied_rate,
    applied,
    answered_applied
FROM counts
ORDER BY dimension, key
