"""The fair study's command-line options (``--tune``, ``--lr-grid``, ``--calibrate``, ...),
added to the main parser: a group of their own, apart from :mod:`lossterm.cli.main` so
that module stays within the 400-line bound."""

from __future__ import annotations

import argparse


def add_study_arguments(p: argparse.ArgumentParser) -> None:
    study = p.add_argument_group(
        "fair study (each loss at its own learning rate, chosen on validation; test read once)",
        "Two or more losses with --seeds > 1 run as a study unless --no-tune.")
    study.add_argument("--tune", action="store_true",
                       help="run a study: tune each loss's learning rate on a validation split, "
                            "then compare the losses at their own rates on the test split")
    study.add_argument("--no-tune", action="store_true",
                       help="compare at one learning rate (--learning-rate), as without a study")
    study.add_argument("--lr-grid", metavar="LOW:HIGH:N",
                       help="the learning rates tried per loss: N log-spaced from LOW to HIGH "
                            "(default 9 over 4 decades around the optimizer's usual rate: "
                            "SGD 1e-4:1:9)")
    study.add_argument("--tune-seeds", type=int, default=1, metavar="N",
                       help="seeds per learning rate inside each replicate (default 1: each "
                            "replicate's chosen model is its final model; with N, its figure "
                            "is the mean of its N models at its chosen rate)")
    study.add_argument("--val-size", type=float, default=0.2, metavar="F",
                       help="share of the training rows held out for validation (default 0.2; "
                            "stratified for classes)")
    study.add_argument("--checkpoint", choices=("best", "last"), default="best",
                       help="keep the epoch with the best validation metric, or the last "
                            "(default best)")
    study.add_argument("--metric", metavar="NAME",
                       help="metric for selection and the verdict: mse, rmse or mae for "
                            "regression, accuracy for classes, subset_accuracy, hamming_loss, "
                            "f1_micro or f1_macro for multilabel (default mse / accuracy / "
                            "subset_accuracy)")
    study.add_argument("--calibrate", type=int, metavar="N",
                       help="measure this protocol's false-claim rate on your problem: N A/A "
                            "studies of the one --loss against itself (independent seeds, a "
                            "new validation draw each), and the share that claimed a "
                            "difference with its 95%% CI beside the stated 5%% (20+ to say "
                            "much; each costs one two-loss study)")
    study.add_argument("--tensorboard", metavar="DIR",
                       help="write every run's per-epoch scalars and the study's "
                            "hyperparameters (loss, learning rate, seed, optimizer, phase) to "
                            "DIR for TensorBoard's HParams dashboard (a new or empty folder)")
    study.add_argument("--split-column", metavar="COLUMN",
                       help="with --data: a column saying train, validation or test per row "
                            "(your own fixed split)")
