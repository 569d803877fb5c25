"""Proposals, acknowledgments and gate reads."""
