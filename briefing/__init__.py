"""briefing: a terminal reader for briefings, with highlights and notes."""

# Static, not importlib.metadata: reading package metadata costs ~20 ms of
# start-up, and the reader's first frame is a measured goal.
__version__ = "0.1.0"
