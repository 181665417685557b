"""Integration tests: models train, the command line runs in subprocesses, other backends."""
