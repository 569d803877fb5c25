"""Publishing contracts (DESIGN.md §4): unchanged / published / proposed / forced, bulk and dry run."""
