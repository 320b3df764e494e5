"""feeds: turn a folder of article files into RSS, Atom and JSON feeds and email digests."""

__version__ = "0.1.0"
