"""The catalogue's records by family, one module each: :mod:`.regression`, :mod:`.binary`,
:mod:`.multiclass`, and :mod:`.robust` (the noise-robust losses of both classification
kinds, which share their papers' parameters). :mod:`lossterm.losses.catalogue` assembles
them into ``CATALOGUE`` and answers names; a loss is added or changed in its family's
module alone."""
