"""Article HTML: cleaning, sanitizing, URLs, summaries, bylines and thumbnails."""
