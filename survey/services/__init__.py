"""Use cases of the web shell: views and CLI commands call these, never the other way."""
