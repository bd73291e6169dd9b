-- SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
-- memtrace traces in ClickHouse (docs/fleet.md). Runs on ClickHouse 18.16
-- (Debian 12) and later. One row per event, with the host, boot and run it
-- came from on every row (columns compress to almost nothing), and one row
-- per loaded file in `traces` (its start and summary records).
--
--   clickhouse-client --multiquery < scripts/fleet/schema.sql

CREATE DATABASE IF NOT EXISTS memtrace;

-- One row per file: the start record's ids and the summary's counts.
-- (host, boot_id, run_ns, part) names a file; a run is (host, boot_id, run_ns).
CREATE TABLE IF NOT EXISTS memtrace.traces
(
    host String,                -- start.hostname, or the loader's --host
    boot_id String,             -- start.boot_id: pids, `as` and ts compare within one boot only
    run_ns Int64,               -- start.wall_start_ns: the run (all its files share it)
    part UInt32,                -- start.part (1 if absent): the file's place in a split run
    file String,                -- the path given to the loader
    version String,
    command String,
    target String,
    root_pid UInt32,
    kernel String,
    complete UInt8,             -- 1 if the file ends with its summary record
    duration_ns UInt64,         -- summary.duration_ns (from ts 0 of the run)
    events UInt64,              -- summary: events in this file
    lost UInt64,                -- summary.lost: lost while this file was written
    missed UInt64,
    unfollowed UInt64 DEFAULT 0,   -- summary.unfollowed: processes not followed (pid filter full)
    unnumbered UInt64 DEFAULT 0,   -- summary.unnumbered: address spaces left without an id
    exit_status Nullable(Int32),
    loaded_at DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY (host, boot_id, run_ns, part);

-- The events, with the columns of schema 1 (docs/events.md). A field an
-- event does not have is '' or 0. Addresses stay hex strings as in the
-- trace; each has a UInt64 twin computed on insert.
CREATE TABLE IF NOT EXISTS memtrace.events
(
    host String,
    boot_id String,
    run_ns Int64,
    part UInt32,
    seq UInt64,                 -- line number in its file: the order of equal ts
    ts UInt64,                  -- ns since the run's ts 0; wall clock = run_ns + ts
    event String,
    pid UInt32,
    tid UInt32,
    comm String,
    `as` UInt64,
    addr String,
    len UInt64,
    prot String,
    flags String,
    fd Int32,
    `offset` UInt64,
    hint String,
    req String,
    old_addr String,
    old_len UInt64,
    new_len UInt64,
    new_addr String,
    child_pid UInt32,
    child_tid UInt32,
    child_as UInt64,
    thread UInt8,
    shared_vm UInt8,
    exit_signal Nullable(Int32),
    syscall Nullable(String),
    filename String,
    filename_truncated UInt8,
    old_as UInt64,
    old_tid UInt32,
    code Int32,
    signal Int32,
    core UInt8,
    error String,
    addr_u64 UInt64 MATERIALIZED reinterpretAsUInt64(reverse(unhex(if(length(addr) % 2 = 1, concat('0', substring(addr, 3)), substring(addr, 3))))),
    old_addr_u64 UInt64 MATERIALIZED reinterpretAsUInt64(reverse(unhex(if(length(old_addr) % 2 = 1, concat('0', substring(old_addr, 3)), substring(old_addr, 3))))),
    new_addr_u64 UInt64 MATERIALIZED reinterpretAsUInt64(reverse(unhex(if(length(new_addr) % 2 = 1, concat('0', substring(new_addr, 3)), substring(new_addr, 3))))),
    hint_u64 UInt64 MATERIALIZED reinterpretAsUInt64(reverse(unhex(if(length(hint) % 2 = 1, concat('0', substring(hint, 3)), substring(hint, 3))))),
    req_u64 UInt64 MATERIALIZED reinterpretAsUInt64(reverse(unhex(if(length(req) % 2 = 1, concat('0', substring(req, 3)), substring(req, 3)))))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(run_ns, 1000000000)))
ORDER BY (host, boot_id, run_ns, part, seq);
