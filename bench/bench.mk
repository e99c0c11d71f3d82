# benchmarks (make bench)
