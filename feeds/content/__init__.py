"""From article files to Article records: discover, read, normalize, collect."""
