-- Each due session's free-text comments from its evaluation forms, as read
-- (emails and phone numbers already masked), in a fixed order.
--
-- Tables: session_summaries, evaluations.
SELECT e.session_id, e.comment
FROM evaluations e
JOIN session_summaries s ON e.session_id = s.session_id
WHERE e.comment IS NOT NULL AND TRIM(e.comment) <> ''
ORDER BY e.session_id, e.comment
