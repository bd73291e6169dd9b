-- Per address space, what SQL computes exactly without replaying the map:
-- calls by type, bytes asked for by successful mmaps, heap growth by brk
-- (brk_grows, heap_start, heap_peak: report address_spaces[]) and large
-- blocks (private anonymous rw- mmaps of 128 KiB or more, not fixed, not
-- stacks: report large_blocks). Peak accessible/reserved bytes need the
-- interval map: see docs/fleet.md. fork_copy = 1: the address space is a
-- fork's copy of its parent's, whose heap the report carries over; here it
-- has its own calls only.
SELECT host, boot_id, run_ns, `as`,
    any(pid) AS some_pid,
    (host, boot_id, run_ns, `as`) IN (SELECT host, boot_id, run_ns, child_as FROM memtrace.events
        WHERE event = 'fork' AND thread = 0 AND shared_vm = 0 AND error = '') AS fork_copy,
    countIf(event = 'mmap') AS mmaps,
    sumIf(len, event = 'mmap' AND error = '') AS mmap_bytes,
    countIf(event = 'munmap') AS munmaps,
    countIf(event = 'mprotect') AS mprotects,
    countIf(event = 'mremap') AS mremaps,
    countIf(event = 'brk') AS brks,
    countIf(event = 'mmap' AND error = '' AND prot = 'rw-'
        AND has(splitByChar('|', flags), 'MAP_PRIVATE') AND has(splitByChar('|', flags), 'MAP_ANONYMOUS')
        AND NOT has(splitByChar('|', flags), 'MAP_FIXED') AND NOT has(splitByChar('|', flags), 'MAP_STACK')
        AND NOT has(splitByChar('|', flags), 'MAP_GROWSDOWN')
        AND intDiv(len + 4095, 4096) * 4096 >= 131072) AS large_blocks,
    arrayMap(x -> x.3, arraySort(x -> (x.1, x.2),
        groupArrayIf((ts, seq, addr_u64), event = 'brk' AND addr != ''))) AS breaks,
    arraySum(arrayMap((b, i) -> i > 1 AND b > breaks[i - 1], breaks, arrayEnumerate(breaks))) AS brk_grows,
    if(length(breaks) > 0, lower(concat('0x', hex(breaks[1]))), '') AS heap_start,
    if(length(breaks) > 0, lower(concat('0x', hex(arrayReduce('max', breaks)))), '') AS heap_peak
FROM memtrace.events
WHERE `as` != 0
GROUP BY host, boot_id, run_ns, `as`
ORDER BY host, boot_id, run_ns, `as`
