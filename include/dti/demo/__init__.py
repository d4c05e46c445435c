"""Demo agency data for `make run`, the tests and benchmarks. Nothing in the pipeline imports it."""
