"""Training: what a run is asked (records), which runs a request means (plan), the Keras
path for one run (fit), population engines for many (population/), the thread scheduler,
and the listener that hears every run and epoch. No statistics, no front end."""
