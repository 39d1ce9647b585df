-- Attendance and non-attendance, one row per breakdown (`dimension`) and
-- group (`key`): by course, agency, quarter, mode and level, and overall.
-- hubreport writes each dimension as attendance_by_<dimension>.csv and the
-- overall row as attendance_overall.csv.
--
-- Sessions, places and cost come from the distinct sessions of the group
-- (they are not defined by agency); the status counts from the bookings.
WITH booked AS (
    -- The bookings counted once for each combination of the breakdowns' keys
    -- and status: the breakdowns below add up these few rows, not every
    -- booking once per breakdown.
    SELECT course, agency, quarter, mode, level, status,
           CAST(COUNT(*) AS BIGINT) AS n,
           SUM(undated) AS undated,
           SUM(chargeable) AS chargeable,
           SUM(charge) AS charge
    FROM bookings
    GROUP BY course, agency, quarter, mode, level, status
),
facts AS (
    -- One row per combination per breakdown: status counts and charges.
    SELECT 'course' AS dimension, course AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    UNION ALL
    SELECT 'agency' AS dimension, agency AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    UNION ALL
    SELECT 'quarter' AS dimension, quarter AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    UNION ALL
    SELECT 'mode' AS dimension, mode AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    UNION ALL
    SELECT 'level' AS dimension, level AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    UNION ALL
    SELECT 'overall' AS dimension, 'All' AS key, 0 AS is_session,
           CAST(NULL AS BIGINT) AS places, CAST(NULL AS DOUBLE) AS cost,
           status, n, undated, chargeable, charge
    FROM booked
    -- One row per session per breakdown (none by agency): sessions, places, cost.
    UNION ALL
    SELECT 'course' AS dimension, course AS key, 1 AS is_session, places, cost,
           CAST(NULL AS VARCHAR) AS status, CAST(0 AS BIGINT) AS n, 0 AS undated, 0 AS chargeable, 0.0 AS charge
    FROM period_sessions
    UNION ALL
    SELECT 'quarter' AS dimension, quarter AS key, 1 AS is_session, places, cost,
           CAST(NULL AS VARCHAR) AS status, CAST(0 AS BIGINT) AS n, 0 AS undated, 0 AS chargeable, 0.0 AS charge
    FROM period_sessions
    UNION ALL
    SELECT 'mode' AS dimension, mode AS key, 1 AS is_session, places, cost,
           CAST(NULL AS VARCHAR) AS status, CAST(0 AS BIGINT) AS n, 0 AS undated, 0 AS chargeable, 0.0 AS charge
    FROM period_sessions
    UNION ALL
    SELECT 'level' AS dimension, level AS key, 1 AS is_session, places, cost,
           CAST(NULL AS VARCHAR) AS status, CAST(0 AS BIGINT) AS n, 0 AS undated, 0 AS chargeable, 0.0 AS charge
    FROM period_sessions
    UNION ALL
    SELECT 'overall' AS dimension, 'All' AS key, 1 AS is_session, places, cost,
           CAST(NULL AS VARCHAR) AS status, CAST(0 AS BIGINT) AS n, 0 AS undated, 0 AS chargeable, 0.0 AS charge
    FROM period_sessions
),
counts AS (
    SELECT
        dimension,
        key,
        SUM(is_session) AS sessions,
        -- A sum over no known values is empty, not 0.
        CASE WHEN COUNT(places) = 0 THEN NULL ELSE SUM(places) END AS places,
        SUM(CASE WHEN status = 'attended' THEN n ELSE 0 END) AS attended,
        SUM(CASE WHEN status = 'walk_in' THEN n ELSE 0 END) AS walk_ins,
        SUM(CASE WHEN status = 'dna' THEN n ELSE 0 END) AS dna,
        SUM(CASE WHEN status = 'late_cancellation' THEN n ELSE 0 END) AS late_cancellations,
        SUM(CASE WHEN status = 'cancelled' THEN n ELSE 0 END) AS cancellations,
        SUM(undated) AS undated,
        SUM(chargeable) AS chargeable,
        SUM(charge) AS charges,
        CASE WHEN COUNT(cost) = 0 THEN NULL ELSE SUM(cost) END AS cost
    FROM facts
    GROUP BY dimension, key
),
totals AS (
    SELECT
        *,
        attended + dna + late_cancellations + cancellations AS registrations,
        attended + walk_ins AS trained
    FROM counts
)
SELECT
    dimension,
    key,
    sessions,
    places,
    registrations,
    attended,
    walk_ins,
    dna,
    -- Not known (empty) where any cancellation of the group has no date.
    CASE WHEN undated = 0 THEN late_cancellations END AS late_cancellations,
    cancellations,
    trained,
    -- A rate whose denominator is 0 (or unknown) is empty, not 0.
    CASE WHEN places > 0 THEN CAST(trained AS DOUBLE) / places END AS take_up_rate,
    CASE WHEN registrations > 0 THEN CAST(attended AS DOUBLE) / registrations END AS attendance_rate,
    CASE WHEN registrations > 0 THEN CAST(dna AS DOUBLE) / registrations END AS non_attendance_rate,
    CASE WHEN registrations > 0 AND undated = 0 THEN CAST(late_cancellations AS DOUBLE) / registrations END AS late_cancellation_rate,
    CASE WHEN registrations > 0 THEN CAST(cancellations + late_cancellations AS DOUBLE) / registrations END AS cancellation_rate,
    CASE WHEN places IS NOT NULL THEN GREATEST(0, places - trained) END AS unused_places,
    chargeable,
    charges,
    cost,
    CASE WHEN trained > 0 THEN cost / trained END AS cost_per_trained
FROM totals
ORDER BY dimension, key
