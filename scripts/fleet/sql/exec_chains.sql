-- Every process's execs in order (failed ones with their error), and the
-- address space each made: `memtrace report`'s processes[].execs.
SELECT host, boot_id, run_ns, pid,
    arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ts, seq, filename)))) AS chain,
    arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ts, seq, `as`)))) AS new_as,
    arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ts, seq, error)))) AS errors
FROM memtrace.events
WHERE event = 'exec'
GROUP BY host, boot_id, run_ns, pid
ORDER BY host, boot_id, run_ns, pid
