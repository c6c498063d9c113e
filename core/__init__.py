"""What every layer shares: local time, timestamp formats, named SQL, asset keys, run clock, file writes."""
