-- Events lost per host, from the summaries of the loaded files (each file of
-- a split run counts what was lost while it was written, so they add up).
-- incomplete_files: files without a summary (memtrace did not finish);
-- unfollowed/unnumbered: processes and address spaces memtrace could not
-- follow or number (its maps were full).
SELECT host,
    uniqExact(boot_id, run_ns) AS runs,
    count() AS files,
    sum(events) AS events,
    sum(lost) AS lost,
    sum(missed) AS missed,
    sum(unfollowed) AS unfollowed,
    sum(unnumbered) AS unnumbered,
    countIf(complete = 0) AS incomplete_files
FROM memtrace.traces
GROUP BY host
ORDER BY host
