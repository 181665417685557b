"""Judging what trained: statistics over seeds, the one verdict, fair studies (study/),
robustness sweeps and calibration, and which stored runs are one experiment."""
