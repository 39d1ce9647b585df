-- Paired forms in the period: one row per delegate's form for one session
-- with at least one item scored both before and after, on the default scale.
-- pre and post are the means over those items. hubreport computes learning
-- gain, normalised change and the Wilcoxon test from these rows, by course,
-- agency, quarter and overall.
--
-- Forms link to trained delegates (attended or walk-in); forms that match
-- none were counted in the data-quality table on load and are not here.
--
-- A form and its scores carry the link of the booking they belong to.
WITH forms AS (
    SELECT
        e.link,
        COUNT(*) AS items,
        AVG(e.pre) AS pre,
        AVG(e.post) AS post,
        MIN(e.scale_min) AS scale_min,
        MAX(e.scale_max) AS scale_max
    FROM evaluation_scores e
    -- Only the period's trained bookings: far fewer rows to group.
    JOIN bookings b ON e.link = b.link
    CROSS JOIN params p
    WHERE b.trained = 1
      AND e.pre IS NOT NULL
      AND e.post IS NOT NULL
      AND e.scale_min = p.scale_min
      AND e.scale_max = p.scale_max
    GROUP BY e.link
)
SELECT
    b.session_id,
    b.delegate_id,
    b.course,
    b.agency,
    b.quarter,
    f.items,
    f.pre,
    f.post,
    f.scale_min,
    f.scale_max
FROM forms f
JOIN bookings b ON f.link = b.link
