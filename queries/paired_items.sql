-- Paired items in the period: one row per item of a form scored both before
-- and after, on the item's own scale. hubreport computes learning gain by
-- item from these rows.
SELECT
    e.item,
    e.session_id,
    e.delegate_id,
    e.pre,
    e.post,
    e.scale_min,
    e.scale_max
FROM evaluation_scores e
JOIN bookings b ON e.link = b.link
WHERE b.trained = 1
  AND e.pre IS NOT NULL
  AND e.post IS NOT NULL
