"""What every layer shares: local time, timestamp formats, named SQL, asset keys, the run clock."""
