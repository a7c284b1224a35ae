"""Ingest's I/O: key-value buckets (cursors, leases, status), the accounts feed, dead letters, clients."""
