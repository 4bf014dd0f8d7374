"""Benchmarking against statistical neighbours and England: pure computations on the reference data
(`carecast.reference`) and on the council's own records, every figure carrying its source."""
