"""Command groups of the ``tessera`` CLI; each module exposes ``add_parser(subparsers)``."""
