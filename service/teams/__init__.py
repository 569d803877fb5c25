"""Teams and API keys."""
