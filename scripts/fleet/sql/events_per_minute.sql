-- Events per host per wall-clock minute (UTC), by type: where a fleet's
-- memory calls come from, and when.
SELECT host,
    toStartOfMinute(toDateTime(intDiv(run_ns + toInt64(ts), 1000000000), 'UTC')) AS minute,
    count() AS events,
    countIf(event = 'fork') AS forks,
    countIf(event = 'exec') AS execs,
    countIf(event = 'exit') AS exits,
    countIf(event IN ('mmap', 'munmap', 'brk', 'mprotect', 'mremap')) AS memory_calls
FROM memtrace.events
GROUP BY host, minute
ORDER BY host, minute
