"""Scoring predictions: the fair per-epoch metrics and the metric matrix, reading each
loss's head to turn outputs into classes. The metric registry itself sits in the core, since
the loss records name their default metric."""
