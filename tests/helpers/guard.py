"""The one limit a wait in the suite has: a deadlock guard, never the pass condition.

Waits in the suite follow events: a message the app handles, a draw in a terminal, a
process ending, a gate a test opens. A clock is only there so that a hang ends with a
message rather than never: far beyond anything the suite does on a shared, loaded machine
(whole suite, two workers, under load: half an hour), so that reaching it means stuck."""

DEADLOCK_GUARD = 900.0  # seconds
