"""Loading Keras quietly, once, with its threads set: the only layer that touches the backend
before training. Imports only the core."""
