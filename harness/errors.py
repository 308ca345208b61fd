"""The one exception family users see: each message says what is wrong and how to fix it."""


class HarnessError(Exception):
    """A user-facing error (bad config, bad input, unreachable hub): printed without traceback."""
