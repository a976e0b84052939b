"""The one error type a user can cause: its message is shown as it is, on one line."""


class StudioflowError(Exception):
    """Bad input or a refused operation; nothing was written."""


class DatabaseTrouble(StudioflowError):
    """The database could not do it: busy (another process kept the write lock), full, or damaged.

    Nothing was written (the transaction was rolled back); not the input's fault.
    """

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged
