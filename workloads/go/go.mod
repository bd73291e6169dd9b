module memtrace/workloads

go 1.19
