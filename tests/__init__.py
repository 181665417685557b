"""The test suite, as a package: modules under unit/, integration/ and tui/ import their
shared code as ``tests.helpers`` (pytest puts the repository root on sys.path for it)."""
