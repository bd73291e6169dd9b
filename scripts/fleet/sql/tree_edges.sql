-- The process tree's edges with their address-space relation, as in
-- `memtrace report`'s tree: copy (fork without CLONE_VM), shares (CLONE_VM
-- without CLONE_THREAD: vfork, posix_spawn), replaces (exec). Threads are
-- no edges; failed calls make none.
SELECT host, boot_id, run_ns, ts, relation, from_pid, to_pid, from_as, to_as
FROM
(
    SELECT host, boot_id, run_ns, ts, part, seq, if(shared_vm = 1, 'shares', 'copy') AS relation,
        pid AS from_pid, child_pid AS to_pid, `as` AS from_as, child_as AS to_as
    FROM memtrace.events
    WHERE event = 'fork' AND thread = 0 AND error = ''
    UNION ALL
    SELECT host, boot_id, run_ns, ts, part, seq, 'replaces' AS relation,
        pid AS from_pid, pid AS to_pid, old_as AS from_as, `as` AS to_as
    FROM memtrace.events
    WHERE event = 'exec' AND error = ''
)
ORDER BY host, boot_id, run_ns, ts, part, seq
