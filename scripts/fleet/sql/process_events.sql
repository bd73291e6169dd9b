-- Events per process and type: `memtrace report`'s processes[].events
-- (an event counts for the process in its pid field; a fork for the parent).
SELECT host, boot_id, run_ns, pid, event, count() AS n
FROM memtrace.events
GROUP BY host, boot_id, run_ns, pid, event
ORDER BY host, boot_id, run_ns, pid, event
