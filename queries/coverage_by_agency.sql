-- Coverage by agency: every agency in the register, and any other agency
-- that made a return, whether or not it made one.
-- rag: the worst of its levels; missing with no return; no_staff when every
-- level it returned has headcount 0.
-- ma_trained: trained in multi-agency training (attendance) in the period.
-- representation: the agency's share of ma_trained over its share of
-- headcount, both taken over the agencies that made a return.
WITH levels AS (
    SELECT
        agency,
        SUM(headcount) AS headcount,
        SUM(trained) AS trained,
        SUM(gap) AS gap,
        MAX(CASE rag WHEN 'red' THEN 3 WHEN 'amber' THEN 2 WHEN 'green' THEN 1 ELSE 0 END) AS worst
    FROM coverage_by_agency_level
    GROUP BY agency
),
attendance_trained AS (
    SELECT agency, SUM(trained) AS ma_trained
    FROM bookings
    GROUP BY agency
),
names AS (
    SELECT agency FROM agencies
    UNION ALL
    SELECT agency FROM levels
),
universe AS (
    SELECT agency FROM names GROUP BY agency
),
joined AS (
    SELECT
        u.agency,
        l.headcount,
        l.trained,
        l.gap,
        l.worst,
        l.headcount IS NOT NULL AS returned,
        CAST(COALESCE(t.ma_trained, 0) AS BIGINT) AS ma_trained
    FROM universe u
    LEFT JOIN levels l ON u.agency = l.agency
    LEFT JOIN attendance_trained t ON u.agency = t.agency
),
shares AS (
    SELECT SUM(ma_trained) AS ma_total, SUM(headcount) AS headcount_total
    FROM joined
    WHERE returned
),
measured AS (
    SELECT
        j.agency,
        j.headcount,
        j.trained,
        j.gap,
        j.returned,
        j.ma_trained,
        CASE WHEN j.headcount > 0 THEN CAST(j.trained AS DOUBLE) / j.headcount END AS pct_trained,
        CASE
            WHEN NOT j.returned THEN 'missing'
            WHEN j.worst = 3 THEN 'red'
            WHEN j.worst = 2 THEN 'amber'
            WHEN j.worst = 1 THEN 'green'
            ELSE 'no_staff'
        END AS rag,
        CASE WHEN j.headcount > 0 THEN 100.0 * j.ma_trained / j.headcount END AS per_100_staff,
        CASE
            WHEN j.returned AND j.headcount > 0 AND s.ma_total > 0 AND s.headcount_total > 0 THEN
                (CAST(j.ma_trained AS DOUBLE) / s.ma_total) / (CAST(j.headcount AS DOUBLE) / s.headcount_total)
        END AS representation
    FROM joined j
    CROSS JOIN shares s
)
SELECT
    agency,
    headcount,
    trained,
    pct_trained,
    gap,
    rag,
    ma_trained,
    per_100_staff,
    representation,
    CONCAT_WS(
        ';',
        CASE WHEN NOT returned THEN 'no_return' END,
        CASE WHEN headcount > 0 AND ma_trained = 0 THEN 'no_attendance' END,
        CASE WHEN rag = 'red' THEN 'red' END
    ) AS flags
FROM measured
ORDER BY agency
