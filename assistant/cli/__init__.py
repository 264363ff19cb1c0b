"""The `proactive` command line: thin wrappers over library calls."""
