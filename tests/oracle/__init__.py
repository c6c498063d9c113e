"""Test oracles: the warehouse contract and the generator's plants, computed independently of the pipeline."""
