"""`feeds serve`: a development server for the output folder (feeds, digests, unsubscribe)."""
