"""Batches: jobs, planning and cache keys, the local fork pool and dask clusters."""
