# benchmarks (make bench)
bench: all
	@echo "bench: not yet"
