"""Impact analysis: direct consumers and transitive downstream assets of a proposed schema."""
