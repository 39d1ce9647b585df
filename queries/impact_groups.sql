-- Impact (Kirkpatrick level 3) by course and overall, over every course with
-- trained delegates in the period.
-- eligible: trained delegates whose session_date + follow_up_days is on or
-- before as_of (params.follow_up_cutoff is as_of - follow_up_days).
-- responses: eligible delegates' impact responses (one per session and
-- delegate); responses from delegates not yet eligible are not counted.
-- applied_rate: share answering yes, among responses that answered.
WITH answers AS (
    SELECT link, 1 AS responded,
           CASE WHEN applied_learning THEN 1 ELSE 0 END AS applied,
           CASE WHEN applied_learning IS NOT NULL THEN 1 ELSE 0 END AS answered_applied
    FROM impact
),
followed AS (
    SELECT
        b.course,
        CASE WHEN b.session_date <= p.follow_up_cutoff THEN 1 ELSE 0 END AS eligible,
        CASE WHEN b.session_date <= p.follow_up_cutoff THEN a.responded ELSE 0 END AS responded,
        CASE WHEN b.session_date <= p.follow_up_cutoff THEN a.applied ELSE 0 END AS applied,
        CASE WHEN b.session_date <= p.follow_up_cutoff THEN a.answered_applied ELSE 0 END AS answered_applied
    FROM bookings b
    CROSS JOIN params p
    LEFT JOIN answers a ON b.link = a.link
    WHERE b.trained = 1
),
groups AS (
    SELECT 'course' AS dimension, course AS key, eligible, responded, applied, answered_applied FROM followed
    UNION ALL
    SELECT 'overall' AS dimension, 'All' AS key, eligible, responded, applied, answered_applied FROM followed
),
counts AS (
    SELECT
        dimension,
        key,
        SUM(eligible) AS eligible,
        COALESCE(SUM(responded), 0) AS responses,
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
