"""Plugins > Hyperspectral CRNN > Install dependencies...: pip, run from inside QGIS.

Shows QGIS's Python, each dependency's state (version and place, or missing), the folder
that receives the packages and the exact pip command (``dependencies.py`` builds it),
then runs that command with ``QProcess`` in the background: its output scrolls by live,
*Cancel* kills pip, and QGIS stays usable. When pip succeeds, copies of packages QGIS
already has are removed from the folder (:func:`dependencies.prune`), the folder goes on
``sys.path`` and the states are checked again, so the algorithms work without a restart.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence

from qgis.PyQt.QtCore import QProcess, QProcessEnvironment, Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFontDatabase
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..dependencies import (
    DEPENDENCIES,
    Dependency,
    Status,
    activate,
    check,
    constraints_path,
    format_command,
    install_command,
    pip_available,
    prune,
    qgis_python,
    snapshot,
    write_constraints,
)
from ..translate import tr

MISSING_COLOUR = "#b00020"
# pip without prompts (a proxy's password would wait forever), progress bars or colours:
# its output goes to a text view, not a terminal.
PIP_ENVIRONMENT = {
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",
    "PIP_NO_INPUT": "1",
    "PIP_PROGRESS_BAR": "off",
    "PIP_NO_COLOR": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}



class DependencyDialog(QDialog):
    """Install the plugin's Python packages into ``target`` with pip, in the background.

    Args:
        target: the packages folder (``dependencies.packages_dir`` of the QGIS profile).
        python: the interpreter that runs pip (default: QGIS's, ``qgis_python()``).
        dependencies: the packages listed (default: ``dependencies.DEPENDENCIES``).
        index: pip's index options instead of the default (PyTorch's CPU index where it
            applies), e.g. ``["--no-index", "--find-links", folder]``.
        search_path: QGIS's ``sys.path`` for deciding what QGIS already has (default: the
            running ``sys.path``).
    """

    #: Emitted when a pip run ends: True when it succeeded.
    installFinished = pyqtSignal(bool)  # noqa: N815 - Qt's naming

    def __init__(self, target: str, python: Optional[str] = None,
                 dependencies: Sequence[Dependency] = DEPENDENCIES,
                 index: Optional[Sequence[str]] = None,
                 search_path: Optional[Sequence[str]] = None, parent=None) -> None:
        super().__init__(parent)
        self.target = os.path.abspath(target)
        self.python = python or qgis_python()
        self.dependencies = list(dependencies)
        self.index = None if index is None else list(index)
        self.search_path = search_path
        self.process: Optional[QProcess] = None
        self.cancelled = False
        self.requested: List[str] = []
        self.before = {}
        self.loaded_before: List[str] = []
        self.statuses: List[Status] = []
        self.has_pip = pip_available(self.python)
        self.setWindowTitle(tr("Hyperspectral CRNN: install dependencies"))
        self.setObjectName("hyperspectralCrnnDependencyDialog")
        self._build()
        self.resize(820, 620)
        self.refresh()

    # --- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        layout = QVBoxLayout(self)
        intro = QLabel(tr(
            "The algorithms need these Python packages in the Python that QGIS runs. Tick "
            "what to install and press Install: pip runs in the background and QGIS stays "
            "usable. QGIS's own numpy, SciPy and GDAL are never replaced."))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.python_label = self._path_label(self.python)
        self.target_label = self._path_label(self.target)
        form.addRow(tr("QGIS's Python:"), self.python_label)
        form.addRow(tr("Packages go to:"), self.target_label)
        layout.addLayout(form)
        self.pip_warning = QLabel(tr(
            "pip is not installed in QGIS's Python, so nothing can be installed from here. "
            "On Debian or Ubuntu install the package python3-pip (sudo apt install "
            "python3-pip), then open this dialog again."))
        self.pip_warning.setWordWrap(True)
        self.pip_warning.setStyleSheet(f"color: {MISSING_COLOUR};")
        self.pip_warning.setVisible(not self.has_pip)
        layout.addWidget(self.pip_warning)

        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setColumnCount(3)
        self.table.setHeaderLabels([tr("Package"), tr("Status"), tr("Needed for")])
        self.table.header().setStretchLastSection(True)
        self.table.itemChanged.connect(self._show_command)
        layout.addWidget(self.table)

        layout.addWidget(QLabel(tr("Command:")))
        self.command_view = QPlainTextEdit()
        self.command_view.setReadOnly(True)
        self.command_view.setFont(fixed)
        self.command_view.setMaximumHeight(5 * self.command_view.fontMetrics().lineSpacing()
                                           + 12)
        layout.addWidget(self.command_view)

        layout.addWidget(QLabel(tr("Output of pip:")))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(fixed)
        self.log.setObjectName("pipLog")
        layout.addWidget(self.log, 1)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no percentage from pip: a busy indicator
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        layout.addWidget(self.busy)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.install_button = self.buttons.addButton(
            tr("Install"), QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(
            tr("Cancel"), QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.install_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.stop)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    @staticmethod
    def _path_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    # --- state ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Check every dependency again (by importing it) and fill the table; write the
        constraints file, so the command shown can also be pasted into a shell."""
        self.statuses = [check(entry) for entry in self.dependencies]
        try:
            write_constraints(constraints_path(self.target))
        except OSError:
            pass  # written again (or reported) when Install is pressed
        self.table.blockSignals(True)
        self.table.clear()
        for status in self.statuses:
            entry = status.dependency
            item = QTreeWidgetItem([entry.name, self.status_text(status), tr(entry.purpose)
                                    if entry.purpose else ""])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = not status.installed and (entry.required or entry.default)
            item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            if status.installed:
                item.setToolTip(1, status.location or "")
            else:
                item.setToolTip(1, status.error or "")
                if entry.required:
                    item.setForeground(1, QBrush(QColor(MISSING_COLOUR)))
            self.table.addTopLevelItem(item)
        self.table.blockSignals(False)
        self._fit_table()
        self._show_command()
        self._set_running(self.is_running())

    def _fit_table(self) -> None:
        """Columns as wide as their texts (and a margin), the table as high as its rows."""
        for column in (0, 1):
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, self.table.columnWidth(column) + 16)
        rows = self.table.topLevelItemCount()
        row_height = self.table.sizeHintForRow(0) if rows else 0
        self.table.setMaximumHeight(self.table.header().sizeHint().height()
                                    + max(rows, 2) * row_height
                                    + 2 * self.table.frameWidth() + 6)

    @staticmethod
    def status_text(status: Status) -> str:
        if status.installed:
            return tr("{version} installed").format(version=status.version or "?")
        if status.dependency.required:
            return tr("missing")
        return tr("missing (optional)")

    def selected_packages(self) -> List[str]:
        packages = []
        for row in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(row)
            if item.checkState(0) == Qt.CheckState.Checked:
                packages.append(self.dependencies[row].name)
        return packages

    def set_selected(self, names: Sequence[str]) -> None:
        """Tick exactly the packages ``names`` (as a user would)."""
        for row in range(self.table.topLevelItemCount()):
            checked = self.dependencies[row].name in names
            self.table.topLevelItem(row).setCheckState(
                0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def command(self, packages: Optional[Sequence[str]] = None) -> List[str]:
        """The pip command for the ticked packages (or ``packages``)."""
        packages = self.selected_packages() if packages is None else list(packages)
        return install_command(packages, self.target, constraints_path(self.target),
                               python=self.python, index=self.index)

    def _show_command(self, *_args) -> None:
        packages = self.selected_packages()
        if packages:
            self.command_view.setPlainText(format_command(self.command(packages)))
        else:
            self.command_view.setPlainText(tr("Nothing to install: tick a package above."))
        self._set_running(self.is_running())

    def is_running(self) -> bool:
        return (self.process is not None
                and self.process.state() != QProcess.ProcessState.NotRunning)

    def _set_running(self, running: bool) -> None:
        self.install_button.setEnabled(not running and self.has_pip
                                       and bool(self.selected_packages()))
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        self.table.setEnabled(not running)
        self.busy.setVisible(running)

    def append_log(self, text: str) -> None:
        """Add text at the end of the log (as it comes, without extra line breaks)."""
        cursor = self.log.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        self.log.setTextCursor(cursor)
        self.log.ensureCursorVisible()

    def _log_line(self, text: str) -> None:
        if self.log.toPlainText() and not self.log.toPlainText().endswith("\n"):
            self.append_log("\n")
        self.append_log(text + "\n")

    # --- running pip ------------------------------------------------------------------
    def start(self) -> bool:
        """Run pip for the ticked packages; returns False if nothing was started."""
        packages = self.selected_packages()
        if not packages or self.is_running() or not self.has_pip:
            return False
        try:
            constraints = write_constraints(constraints_path(self.target))
        except OSError as error:
            self._log_line(tr("Cannot write the constraints file: {error}").format(error=error))
            return False
        command = install_command(packages, self.target, constraints, python=self.python,
                                  index=self.index)
        by_name = {entry.name: entry for entry in self.dependencies}
        self.requested = packages
        self.loaded_before = [name for name in packages if by_name[name].module in sys.modules]
        self.before = snapshot(self.target)
        self.cancelled = False
        process = QProcess(self)
        process.setProgram(command[0])
        process.setArguments(command[1:])
        environment = QProcessEnvironment.systemEnvironment()
        for key, value in PIP_ENVIRONMENT.items():
            environment.insert(key, value)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._failed_to_start)
        self.process = process
        self._log_line("$ " + format_command(command))
        process.start()
        self._set_running(True)
        return True

    def stop(self) -> None:
        """Cancel: kill pip (and wait for it to end)."""
        if not self.is_running():
            return
        self.cancelled = True
        self.process.kill()
        self.process.waitForFinished(10000)

    def _read_output(self) -> None:
        if self.process is not None:
            data = bytes(self.process.readAllStandardOutput())
            if data:
                self.append_log(data.decode("utf-8", errors="replace"))

    def _failed_to_start(self, error) -> None:
        if error != QProcess.ProcessError.FailedToStart:
            return  # crashes and kills end in _finished
        self._log_line(tr("Could not start {python}: {error}").format(
            python=self.python, error=self.process.errorString()))
        self._set_running(False)
        self.installFinished.emit(False)

    def _finished(self, exit_code: int, exit_status) -> None:
        self._read_output()
        ok = (not self.cancelled and exit_status == QProcess.ExitStatus.NormalExit
              and exit_code == 0)
        if self.cancelled:
            self._log_line(tr("Cancelled: pip was stopped. The packages folder is unchanged "
                              "or partly filled; press Install to try again."))
        elif not ok:
            self._log_line(tr("pip stopped with exit code {code}: see its output above. "
                              "QGIS's own packages were not touched.").format(code=exit_code))
        else:
            self._after_install()
        self.process.deleteLater()
        self.process = None
        self._set_running(False)
        self.installFinished.emit(ok)

    def _after_install(self) -> None:
        """Remove copies of QGIS's packages, put the folder on sys.path, check again."""
        report = prune(self.target, self.requested, self.before, self.search_path)
        for line in report.removed:
            self._log_line(tr("Removed from the folder: {what}").format(what=line))
        for line in report.kept:
            self._log_line(tr("Kept in the folder, ahead of QGIS's copy: {what}").format(
                what=line))
        for line in report.problems:
            self._log_line(tr("Problem: {what}").format(what=line))
        for line in activate(self.target, self.search_path):
            self._log_line(tr("Removed from the folder: {what}").format(what=line))
        self.refresh()
        by_name = {status.dependency.name: status for status in self.statuses}
        failing = [name for name in self.requested
                   if name in by_name and not by_name[name].installed]
        if failing:
            self._log_line(tr("Installed, but {packages} cannot be imported yet: restart "
                              "QGIS.").format(packages=", ".join(failing)))
        elif self.loaded_before:
            self._log_line(tr("Done. {packages} was already loaded: restart QGIS to use the "
                              "new version.").format(packages=", ".join(self.loaded_before)))
        else:
            self._log_line(tr("Done: the packages import now, the algorithms can be used "
                              "without restarting QGIS."))

    # --- closing ----------------------------------------------------------------------
    def reject(self) -> None:
        """Close (Esc, the Close button, the window's X): stops a running pip first."""
        self.stop()
        super().reject()
