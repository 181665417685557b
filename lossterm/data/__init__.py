"""Problems as values: the tutorial's recipes and bundled sets, own data files, targets,
perturbations of the training split, and the validation view a study tunes on. No losses,
no training."""
