"""Unit tests: no training, no subprocess, no TUI (tests/unit/conftest.py enforces it)."""
