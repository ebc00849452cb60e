"""The main window: the Journey tab first, then the four technical tabs, rendering the view
models, and the close policy (hide to the tray when there is one, otherwise really close)."""

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QHideEvent,
    QIcon,
    QPainter,
    QPixmap,
    QPolygonF,
    QShowEvent,
)
from PySide6.QtWidgets import QMainWindow, QTabWidget

from starstats_client.ui.journeytab import JourneyTab
from starstats_client.ui.journeyview import JourneyView
from starstats_client.ui.tabs import EventsTab, SettingsTab, StatusTab, UnknownTab
from starstats_client.ui.viewmodel import Snapshot

TITLE = "StarStats"


class MainWindow(QMainWindow):
    """`hide_on_close`: closing only hides the window (the tray icon brings it back).
    `shown_changed` reports visibility so the store is only read while someone looks."""

    shown_changed = Signal(bool)
    closed = Signal()  # really closed (not hidden to the tray)

    def __init__(self, *, hide_on_close: bool) -> None:
        super().__init__()
        self.hide_on_close = hide_on_close
        self._quitting = False
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.journey_tab = JourneyTab()
        self.status_tab = StatusTab()
        self.events_tab = EventsTab()
        self.unknown_tab = UnknownTab()
        self.settings_tab = SettingsTab()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.journey_tab, "Journey")
        self.tabs.addTab(self.status_tab, "Status")
        self.tabs.addTab(self.events_tab, "Events")
        self.tabs.addTab(self.unknown_tab, "Unknown lines")
        self.tabs.addTab(self.settings_tab, "Settings")
        self.setCentralWidget(self.tabs)
        self.resize(960, 680)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.status_tab.show_view(snapshot.status)
        self.events_tab.show_view(snapshot.events)
        self.unknown_tab.show_view(snapshot.unknown)
        unknown = snapshot.unknown.total_shapes
        self.tabs.setTabText(
            self.tabs.indexOf(self.unknown_tab),
            f"Unknown lines ({unknown:,})" if unknown else "Unknown lines",
        )

    def show_journey(self, view: JourneyView) -> None:
        self.journey_tab.show_view(view)

    def close_for_good(self) -> None:
        """Close even when closing normally hides (the tray's Quit)."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.hide_on_close and not self._quitting:
            event.ignore()
            self.hide()
            return
        event.accept()
        self.closed.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown_changed.emit(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.shown_changed.emit(False)


def app_icon() -> QIcon:
    """A drawn icon (a gold star on a dark disc), so no image file has to be packaged."""
    size = 64
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1d2a44"))
        painter.drawEllipse(QRectF(2, 2, size - 4, size - 4))
        painter.setBrush(QColor("#f2c14e"))
        painter.drawPolygon(_star(size / 2, size / 2, size * 0.40, size * 0.17))
    finally:
        painter.end()
    return QIcon(pixmap)


def _star(cx: float, cy: float, outer: float, inner: float) -> QPolygonF:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append(QPointF(cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return QPolygonF(points)
