"""The `import` progress display: a rich bar on stderr (only used on a terminal)."""

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from starstats_client.importer import ImportProgress


class ImportBar:
    """Files done of total, bytes as a bar, lines and new events so far."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("files {task.fields[files]}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[lines]:,} lines"),
            TextColumn("{task.fields[events]:,} events"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task("import", total=None, files="0/0", lines=0, events=0)
        self._bar.start()

    def update(self, progress: ImportProgress) -> None:
        self._bar.update(
            self._task,
            total=progress.bytes_total or None,
            completed=progress.bytes_done,
            files=f"{progress.files_done}/{progress.files_total}",
            lines=progress.lines,
            events=progress.events,
        )

    def close(self) -> None:
        self._bar.stop()
