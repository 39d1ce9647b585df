-- Bookings in the period: one row per session and delegate (duplicates are
-- already resolved), with what the breakdowns and charges need.
--
-- Tables: attendance, sessions, agencies, params (one row: the period's
-- label, year and bounds, fees, follow-up cut-off, default scale and
-- coverage target).
SELECT
    a.session_id,
    a.delegate_id,
    a.link,
    a.agency,
    a.status,
    a.session_date,
    a.quarter,
    COALESCE(s.course, a.course, '(no course)') AS course,
    COALESCE(s.mode, '(not recorded)') AS mode,
    COALESCE(s.level, a.level, '(not recorded)') AS level,
    s.course IS NOT NULL AS listed_session,
    CASE WHEN a.status IN ('attended', 'walk_in') THEN 1 ELSE 0 END AS trained,
    -- A cancellation from a file without cancellation dates (Moodle,
    -- Eventbrite): late or not is not known.
    CASE WHEN a.status = 'cancelled' AND NOT a.late_known THEN 1 ELSE 0 END AS undated,
    -- No-shows and late cancellations are charged, unless the agency is exempt.
    CASE
        WHEN a.status IN ('dna', 'late_cancellation')
             AND NOT COALESCE(g.charge_exempt, FALSE) THEN 1
        ELSE 0
    END AS chargeable,
    -- A half-day fee for half-day sessions; the full-day fee otherwise,
    -- including when the duration is not known.
    CASE
        WHEN a.status IN ('dna', 'late_cancellation')
             AND NOT COALESCE(g.charge_exempt, FALSE) THEN
            CASE WHEN s.duration = 'half_day' THEN p.fee_half_day ELSE p.fee_full_day END
        ELSE 0.0
    END AS charge
FROM attendance a
LEFT JOIN sessions s ON a.session_id = s.session_id
LEFT JOIN agencies g ON a.agency = g.agency
CROSS JOIN params p
-- In the period: its financial year, and its quarter unless it is a year.
-- (Labels, not a date range: equality keeps this a cheap filter.)
WHERE a.fy = p.fy AND (p.is_year = 1 OR a.quarter = p.period)
