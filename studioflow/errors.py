"""The one error type a user can cause: its message is shown as it is, on one line."""


class StudioflowError(Exception):
    """Bad input or a refused operation; nothing was written."""
