-- Refresher currency by agency, on E (params.currency_date: the period's end,
-- or the run date for a period still running). A training lapses
-- refresher_years after its session date; params.lapsed_until is the latest
-- session date whose training has lapsed by E, params.lapsing_until the latest
-- whose training lapses by the end of the quarter after E.
--
-- trained_current: distinct delegates whose latest trained booking (attended
-- or walk-in) on or before E is current on E, under that booking's agency;
-- lapsing: of those, the ones whose training lapses by the end of the next
-- quarter; headcount: the agency's returns for E's financial year, summed
-- over levels; pct_current = trained_current / headcount.
--
-- Tables: attendance, agency_returns, agencies, params.
WITH trained AS (
    SELECT a.delegate_id, a.agency, a.session_date
    FROM attendance a
    CROSS JOIN params p
    WHERE a.status IN ('attended', 'walk_in') AND a.session_date <= p.currency_date
),
latest AS (
    SELECT delegate_id, MAX(session_date) AS last_date
    FROM trained
    GROUP BY delegate_id
),
latest_booking AS (
    -- Two trainings on one day under two agencies: the first agency by name.
    SELECT t.delegate_id, MIN(t.agency) AS agency, l.last_date
    FROM trained t
    JOIN latest l ON t.delegate_id = l.delegate_id AND t.session_date = l.last_date
    GROUP BY t.delegate_id, l.last_date
),
current_by_agency AS (
    SELECT
        b.agency,
        CAST(COUNT(*) AS BIGINT) AS trained_current,
        CAST(SUM(CASE WHEN b.last_date <= p.lapsing_until THEN 1 ELSE 0 END) AS BIGINT) AS lapsing
    FROM latest_booking b
    CROSS JOIN params p
    WHERE b.last_date > p.lapsed_until
    GROUP BY b.agency
),
heads AS (
    SELECT r.agency, SUM(r.headcount) AS headcount
    FROM agency_returns r
    CROSS JOIN params p
    WHERE r.year = p.fy
    GROUP BY r.agency
),
names AS (
    SELECT agency FROM agencies
    UNION ALL
    SELECT agency FROM heads
    UNION ALL
    SELECT agency FROM current_by_agency
),
universe AS (
    SELECT agency FROM names GROUP BY agency
)
SELECT
    u.agency,
    CAST(COALESCE(c.trained_current, 0) AS BIGINT) AS trained_current,
    CAST(COALESCE(c.lapsing, 0) AS BIGINT) AS lapsing,
    h.headcount,
    CASE WHEN h.headcount > 0 THEN CAST(COALESCE(c.trained_current, 0) AS DOUBLE) / h.headcount END AS pct_current
FROM universe u
LEFT JOIN current_by_agency c ON u.agency = c.agency
LEFT JOIN heads h ON u.agency = h.agency
ORDER BY u.agency
