"""Errors the core raises with a message meant for the user.

The Processing algorithms turn every ``CrnnError`` into a ``QgsProcessingException``
with the same text, so each message says what is wrong and how to fix it.
"""


class CrnnError(Exception):
    """A problem with the user's input or files, explained in the message."""


class ModelFileError(CrnnError):
    """A model file that cannot be read: missing, corrupt, foreign or too new."""


class CancelledError(CrnnError):
    """The user cancelled; raised so that no partial output is kept."""

    def __init__(self, message: str = "Cancelled by the user.") -> None:
        super().__init__(message)
