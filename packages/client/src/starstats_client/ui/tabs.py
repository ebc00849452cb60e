"""The window's technical tabs (Status, Events, Unknown lines, Settings) as Qt widgets, and
the table and label helpers every tab shares (the Journey tab is in journeytab.py). Each
renders one view-model dataclass and reports what the player asks for through signals;
none of them reads the store or knows about threads."""

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from starstats_client.ui.viewmodel import (
    MIN_INTERVAL_SECS,
    EventsView,
    SettingsView,
    StatusView,
    UnknownView,
)
from starstats_core.wire import MAX_BATCH_EVENTS

_ERROR_STYLE = "color: #b00020;"


def table(headers: Sequence[str], stretch: Sequence[int] = ()) -> QTableWidget:
    """A read-only, row-selecting table; `stretch` columns share the spare width (long
    text there is elided, its full form in the tooltip), the others fit their content."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.setWordWrap(False)
    widget.verticalHeader().setVisible(False)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for index in stretch:
        header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(not stretch)
    return widget


def fill_table(widget: QTableWidget, rows: Sequence[Sequence[str | int]]) -> None:
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else value)
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            else:
                item.setToolTip(value)
            widget.setItem(r, c, item)


def selectable_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class StatusTab(QWidget):
    import_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.events_total, self.events_today, self.last_event = (
            selectable_label(),
            selectable_label(),
            selectable_label(),
        )
        self.sync_state, self.last_sync, self.sync_error = (
            selectable_label(),
            selectable_label(),
            selectable_label(),
        )
        self.outbox, self.sent, self.pairing = (
            selectable_label(),
            selectable_label(),
            selectable_label(),
        )
        self.coverage, self.problem = selectable_label(), selectable_label()
        self.problem.setStyleSheet(_ERROR_STYLE)
        form = QFormLayout()
        for title, label in (
            ("Events", self.events_total),
            ("Today", self.events_today),
            ("Last event", self.last_event),
            ("Sync", self.sync_state),
            ("Last sync", self.last_sync),
            ("Sync error", self.sync_error),
            ("Outbox", self.outbox),
            ("Sent", self.sent),
            ("Pairing", self.pairing),
            ("Coverage", self.coverage),
        ):
            form.addRow(title, label)
        self.files = table(["Tailed file", "Offset", "Error"], stretch=[0, 2])
        self.import_text = selectable_label()
        self.import_bar = QProgressBar()
        self.import_bar.setVisible(False)
        self.import_button = QPushButton("Import backup logs")
        self.import_button.clicked.connect(self.import_requested.emit)
        backfill = QGroupBox("Backfill")
        row = QHBoxLayout(backfill)
        row.addWidget(self.import_button)
        row.addWidget(self.import_bar, 1)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.files, 1)
        column.addWidget(backfill)
        column.addWidget(self.import_text)
        column.addWidget(self.problem)
        self._shown: StatusView | None = None

    def show_view(self, view: StatusView) -> None:
        if view == self._shown:
            return
        self._shown = view
        self.events_total.setText(f"{view.events_total:,}")
        self.events_today.setText(f"{view.events_today:,}")
        last = view.last_event
        self.last_event.setText("none yet" if last is None else f"{last.event_type} at {last.time}")
        self.sync_state.setText(view.sync.state)
        self.last_sync.setText(view.sync.last_success)
        self.sync_error.setText(view.sync.last_error or "none")
        self.sync_error.setStyleSheet(_ERROR_STYLE if view.sync.last_error else "")
        self.outbox.setText(
            f"{view.sync.unsynced:,} unsynced, {view.sync.quarantined:,} quarantined"
        )
        self.sent.setText(view.sync.sent)
        self.pairing.setText(view.pairing)
        self.coverage.setText(view.coverage.text)
        fill_table(self.files, [(f.path, f.offset, f.error or "") for f in view.files])
        progress = view.import_
        self.import_text.setText("" if progress is None else progress.text)
        self.import_button.setEnabled(progress is None or not progress.running)
        self.import_bar.setVisible(progress is not None and progress.running)
        if progress is not None and progress.total:
            # QProgressBar takes an int: scale bytes to per-mille so large imports fit.
            self.import_bar.setRange(0, 1000)
            self.import_bar.setValue(min(1000, progress.done * 1000 // progress.total))
        self.problem.setText(view.problem or "")


class EventsTab(QWidget):
    filter_changed = Signal(str)  # the event type, or "" for every type

    def __init__(self) -> None:
        super().__init__()
        self.type_filter = QComboBox()
        self.type_filter.addItem("All types", "")
        self.type_filter.currentIndexChanged.connect(self._picked)
        self.table = table(["Time", "Type", "Summary"], stretch=[2])
        top = QHBoxLayout()
        top.addWidget(QLabel("Type"))
        top.addWidget(self.type_filter, 1)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        self._shown: EventsView | None = None

    def _picked(self, index: int) -> None:
        self.filter_changed.emit(self.type_filter.itemData(index) or "")

    def show_view(self, view: EventsView) -> None:
        if view == self._shown:
            return
        if self._shown is None or view.types != self._shown.types:
            # Rebuilt silently, keeping the player's choice: rows read for an older choice
            # may still be arriving, so `view.selected` is not the one to trust here.
            keep = self.type_filter.currentData() or view.selected or ""
            self.type_filter.blockSignals(True)
            try:
                self.type_filter.clear()
                self.type_filter.addItem("All types", "")
                for name, count in view.types:
                    self.type_filter.addItem(f"{name} ({count:,})", name)
                self.type_filter.setCurrentIndex(max(self.type_filter.findData(keep), 0))
            finally:
                self.type_filter.blockSignals(False)
        self._shown = view
        fill_table(self.table, [(row.time, row.event_type, row.summary) for row in view.rows])


class UnknownTab(QWidget):
    ignore_requested = Signal(str)  # an event name for the noise list

    def __init__(self) -> None:
        super().__init__()
        self.table = table(["Count", "Event name", "Shape", "Sample"], stretch=[2, 3])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, 200)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.ignore_button = QPushButton("Ignore")
        self.ignore_button.setToolTip(
            "Add the selected line's event name to the noise list: its lines are no longer "
            "counted as unknown"
        )
        self.ignore_button.setEnabled(False)
        self.ignore_button.clicked.connect(self._ignore)
        self.summary = selectable_label()
        self.message = selectable_label()
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.ignore_button)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(bottom)
        column.addWidget(self.message)
        self._shown: UnknownView | None = None

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self._shown is None:
            return None
        return self._shown.rows[rows[0].row()].event_name

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        self.ignore_button.setEnabled(self.selected_name() is not None)

    def _ignore(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.ignore_requested.emit(name)

    def show_view(self, view: UnknownView) -> None:
        if view == self._shown:
            return
        rows = self.table.selectionModel().selectedRows()
        keep = None if not rows or self._shown is None else self._shown.rows[rows[0].row()].shape
        self._shown = view
        self.table.blockSignals(True)
        try:
            self.table.clearSelection()
            fill_table(
                self.table, [(r.count, r.event_name or "", r.shape, r.sample) for r in view.rows]
            )
            for index, row in enumerate(view.rows):
                if row.shape == keep:  # refreshes must not steal the player's selection
                    self.table.selectRow(index)
        finally:
            self.table.blockSignals(False)
        self._selection_changed()
        self.summary.setText(
            f"{view.total_shapes:,} unknown shapes (the {len(view.rows):,} most frequent shown)"
        )


class SettingsTab(QWidget):
    save_requested = Signal(object)  # a SettingsView
    pair_requested = Signal(str, str)  # api_url, code

    def __init__(self) -> None:
        super().__init__()
        self.gamelog = QLineEdit()
        self.gamelog.setPlaceholderText("blank: find Star Citizen installs")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.api_url = QLineEdit()
        self.api_url.setPlaceholderText("https://api.example.org")
        self.interval = QSpinBox()
        self.interval.setRange(MIN_INTERVAL_SECS, 24 * 3600)
        self.interval.setSuffix(" s")
        self.batch = QSpinBox()
        self.batch.setRange(1, MAX_BATCH_EVENTS)
        self.archive = QCheckBox("Copy backup logs into the data folder on import")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.form()))
        self.code = QLineEdit()
        self.code.setPlaceholderText("ABCDEFGH")
        self.code.setMaxLength(8)
        self.pair_button = QPushButton("Pair")
        self.pair_button.clicked.connect(self._pair)
        self.pairing = selectable_label()
        self.message = selectable_label()
        path_row = QHBoxLayout()
        path_row.addWidget(self.gamelog, 1)
        path_row.addWidget(browse)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code, 1)
        code_row.addWidget(self.pair_button)
        form = QFormLayout()
        form.addRow("Game.log override", path_row)
        form.addRow("API URL", self.api_url)
        form.addRow("Pairing code", code_row)
        form.addRow("Pairing", self.pairing)
        form.addRow("Sync interval", self.interval)
        form.addRow("Batch size", self.batch)
        form.addRow("", self.archive)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.message)
        column.addStretch(1)

    def load(self, view: SettingsView) -> None:
        self.gamelog.setText(view.gamelog_path)
        self.api_url.setText(view.api_url)
        self.interval.setValue(view.interval_secs)
        self.batch.setValue(view.batch_size)
        self.archive.setChecked(view.archive_backups)

    def form(self) -> SettingsView:
        return SettingsView(
            gamelog_path=self.gamelog.text().strip(),
            api_url=self.api_url.text().strip(),
            interval_secs=self.interval.value(),
            batch_size=self.batch.value(),
            archive_backups=self.archive.isChecked(),
        )

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(_ERROR_STYLE if error else "")
        self.message.setText(text)

    def set_pairing(self, text: str, *, busy: bool = False) -> None:
        self.pairing.setText(text)
        self.pair_button.setEnabled(not busy)

    def _pair(self) -> None:
        self.pair_requested.emit(self.api_url.text().strip(), self.code.text().strip().upper())

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose Game.log", self.gamelog.text(), "Game.log (Game.log)"
        )
        if chosen:
            self.gamelog.setText(chosen)
