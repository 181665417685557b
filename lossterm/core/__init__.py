"""The bottom layer: errors a user can cause, the closed sets (kinds, statuses, encodings,
formats) and the metric registry. Imports nothing of lossterm's above it; every layer reads it."""
