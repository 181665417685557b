"""Imported once in the forkserver a ``--cluster local`` starts its workers from: Keras
(and its backend) loaded there, every worker process forked from it starts with Keras
already imported instead of spending seconds importing it itself, each on the same cores.
No op runs here, so no backend thread exists yet to be lost by the fork."""

from lossterm.runtime.backend import load_keras

load_keras()
