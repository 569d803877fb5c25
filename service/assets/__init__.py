"""Assets, contracts and lineage."""
