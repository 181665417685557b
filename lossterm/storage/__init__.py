"""What outlives a process: the SQLite run history, CSV and script exports, TensorBoard logs."""
