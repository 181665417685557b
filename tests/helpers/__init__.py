"""Code the test modules share (imported as ``tests.helpers.<module>``), never tests."""
