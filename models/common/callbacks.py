"""The callbacks the core takes from its callers (the Processing glue, tests, benchmarks).

Progress is a fraction of the work done, 0.0 to 1.0, everywhere in the core; the glue
scales it onto QGIS's 0-100 (``feedback.setProgress(100 * fraction)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Optional

from .errors import CancelledError

ProgressCallback = Callable[[float], None]  # the fraction done, 0.0 .. 1.0
CancelCheck = Callable[[], bool]  # True: stop now, write nothing
LogCallback = Callable[[str], None]  # a line for the user's log
EpochCallback = Callable[[Dict[str, float]], None]  # one training epoch's figures


@dataclass(frozen=True)
class Hooks:
    """What a long core call reports to its caller and polls from it, in one argument:
    progress (a fraction), the cancel check and the log. Each may be None."""

    progress: Optional[ProgressCallback] = None
    is_cancelled: Optional[CancelCheck] = None
    log: Optional[LogCallback] = None

    def cancelled(self) -> bool:
        return self.is_cancelled is not None and bool(self.is_cancelled())

    def check(self, message: Optional[str] = None) -> None:
        """Raise ``CancelledError`` (with ``message`` where given) once cancelled."""
        if self.cancelled():
            raise CancelledError(message) if message else CancelledError()

    def say(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def advance(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(fraction)


NO_HOOKS = Hooks()
