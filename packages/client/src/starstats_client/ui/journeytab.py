"""The Journey tab: the session being played, today's totals as a strip of figures, and the
recent sessions, each with its story. Renders a `JourneyView`; reads nothing itself."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from starstats_client.ui.journeyview import JourneyView, Stat
from starstats_client.ui.tabs import fill_table, selectable_label, table

STAT_COLUMNS = 4
SESSION_HEADERS = [
    "Started",
    "Played",
    "In the verse",
    "Most time at",
    "Ships",
    "Contracts",
    "Deaths",
]


class _StatCard(QFrame):
    """One figure of the strip: the value large, what it counts below it."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel()
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel()
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(0)
        column.addWidget(self.value)
        column.addWidget(self.caption)

    def show_stat(self, stat: Stat) -> None:
        self.value.setText(stat.value)
        self.caption.setText(stat.caption)


class JourneyTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.now_box = QGroupBox("Reading your journey from the local store…")
        self.now_form = QFormLayout(self.now_box)
        self.today_box = QGroupBox("Today")
        self.today_grid = QGridLayout()
        self.today_note = selectable_label()
        today_column = QVBoxLayout(self.today_box)
        today_column.addLayout(self.today_grid)
        today_column.addWidget(self.today_note)
        self.cards: list[_StatCard] = []
        top = QHBoxLayout()
        top.addWidget(self.now_box, 1)
        top.addWidget(self.today_box, 1)
        self.all_time = selectable_label()
        self.sessions_note = selectable_label()
        self.sessions = table(SESSION_HEADERS, stretch=[3, 4])
        self.sessions.itemSelectionChanged.connect(self._show_story)
        # Rows as tall as their text: more sessions fit above the story.
        rows = self.sessions.verticalHeader()
        rows.setDefaultSectionSize(self.sessions.fontMetrics().height() + 8)
        self.story = QPlainTextEdit()
        self.story.setReadOnly(True)
        # The story aligns its times in a column of spaces: it needs a fixed-width font.
        self.story.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.story.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.sessions)
        split.addWidget(self.story)
        split.setStretchFactor(0, 3)  # the list gets the larger share; a story scrolls
        split.setStretchFactor(1, 2)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.all_time)
        column.addWidget(self.sessions_note)
        column.addWidget(split, 1)
        self._shown: JourneyView | None = None

    def show_view(self, view: JourneyView) -> None:
        if view == self._shown:
            return
        keep = self.selected_row()
        kept = (
            None if keep is None or self._shown is None else self._shown.sessions[keep].session_id
        )
        self._shown = view
        self.now_box.setTitle(view.heading)
        while self.now_form.rowCount():
            self.now_form.removeRow(0)
        for label, value in view.now:
            text = selectable_label()
            text.setText(value)
            self.now_form.addRow(label, text)
        self._show_stats(view.today)
        self.today_note.setText(view.today_note)
        self.today_box.setVisible(bool(view.today))
        self.all_time.setText(view.all_time)
        self.sessions_note.setText(view.sessions_note)
        self.sessions.blockSignals(True)
        try:
            fill_table(
                self.sessions,
                [
                    (r.started, r.length, r.in_verse, r.where, r.ships, r.contracts, r.deaths)
                    for r in view.sessions
                ],
            )
            # A refresh keeps the player's pick; the newest session is shown until they pick.
            ids = [r.session_id for r in view.sessions]
            if ids:
                self.sessions.selectRow(ids.index(kept) if kept in ids else 0)
        finally:
            self.sessions.blockSignals(False)
        self._show_story()

    def _show_stats(self, stats: tuple[Stat, ...]) -> None:
        while len(self.cards) < len(stats):
            card = _StatCard()
            index = len(self.cards)
            self.today_grid.addWidget(card, index // STAT_COLUMNS, index % STAT_COLUMNS)
            self.cards.append(card)
        for card, stat in zip(self.cards, stats, strict=False):
            card.show_stat(stat)
        for index, card in enumerate(self.cards):
            card.setVisible(index < len(stats))

    @property
    def view(self) -> JourneyView | None:
        """The view last shown (None before the first)."""
        return self._shown

    def selected_row(self) -> int | None:
        rows = self.sessions.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select_session(self, row: int) -> None:
        self.sessions.selectRow(row)

    def _show_story(self) -> None:
        row = self.selected_row()
        shown = self._shown
        text = "" if row is None or shown is None else shown.sessions[row].story
        if self.story.toPlainText() != text:
            self.story.setPlainText(text)
