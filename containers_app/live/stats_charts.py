"""The charts of a container's stats panel: which series, on which scale, labelled how (pure).

CPU is in percent of one core, up to the container's CPU limit (or all the
host's cores); memory in bytes up to its memory limit (or the host's memory),
drawn as a labelled line. Rates (in kB/s, MB/s, decimal as the figures) and
PIDs have no limit: their scale is the round number above what the window
shows (or `--pids-limit`, when set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..pages.formatting import human_bytes, human_size
from . import charts
from .charts import Scale, TimeAxis
from .stats_math import StatsLimits, StatsSample

CPU_BY = {
    "cpus": "--cpus {cores:g}",
    "quota": "--cpu-quota ({cores:g} CPUs)",
    "cpuset": "--cpuset-cpus ({cores:g} CPUs)",
}
MIN_RATE_TOP = 1000  # bytes a second: an idle chart still reads 0 to 1kB/s


@dataclass(frozen=True)
class Line:
    css: str  # line-a, line-b
    points: str


@dataclass(frozen=True)
class Chart:
    name: str
    description: str  # what a screen reader says of it
    y_ticks: list[charts.Tick]  # y in pixels from the chart's top
    x_ticks: list[charts.Tick]  # x in percent of the plot's width
    limit: str  # the label of the line at the top, when the top is a limit
    host: bool  # that line is what the host has: the container has no limit
    lines: list[Line]
    top_room: int = charts.TOP_ROOM
    plot_width: int = charts.PLOT_WIDTH
    plot_height: int = charts.PLOT_HEIGHT
    height: int = charts.HEIGHT

    @property
    def plot_bottom(self) -> int:
        return self.top_room + self.plot_height

    @property
    def gridlines(self) -> list[str]:
        """The ticks' lines, but the top's when the limit's line is drawn there."""
        return [t.position for t in self.y_ticks if not (self.limit and t.at <= self.top_room)]


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def percent(value: float) -> str:
    return f"{number(value)}%"


def per_second(value: float) -> str:
    """Decimal, as `docker stats` prints network and block I/O."""
    return f"{human_size(value)}/s"


def pids(value: float) -> str:
    return number(value)


def cpu_scale(limits: StatsLimits | None, shown: Sequence[float]) -> Scale:
    if limits is None or limits.cpus <= 0:
        return charts.open_scale(max(shown, default=0), percent, least=100)
    top = limits.cpus * 100
    if limits.cpus_by == "host":
        cores = f"{limits.cpus:g} CPU{'s' if limits.cpus != 1 else ''}"
        return charts.scale(top, percent, limit=f"no limit · {cores} on the host", host=True)
    return charts.scale(
        top, percent, limit=f"limit {CPU_BY[limits.cpus_by].format(cores=limits.cpus)}"
    )


def memory_scale(limits: StatsLimits | None, reported: int, shown: Sequence[float]) -> Scale:
    if limits is None or limits.memory <= 0:
        if reported:  # the limit the engine applies, --memory or the host's
            return charts.scale(reported, human_bytes, binary=True)
        return charts.open_scale(max(shown, default=0), human_bytes, least=2**20, binary=True)
    host = limits.memory_by == "host"
    if host:
        limit = f"no limit · {human_bytes(limits.memory)} on the host"
    else:
        limit = f"limit --memory {human_bytes(limits.memory)}"
    return charts.scale(limits.memory, human_bytes, binary=True, limit=limit, host=host)


def rate_scale(shown: Sequence[float]) -> Scale:
    return charts.open_scale(max(shown, default=0), per_second, least=MIN_RATE_TOP)


def pids_scale(limits: StatsLimits | None, shown: Sequence[float]) -> Scale:
    if limits is not None and limits.pids > 0:
        return charts.scale(
            limits.pids, pids, whole=True, limit=f"limit --pids-limit {limits.pids}"
        )
    return charts.open_scale(max(shown, default=0), pids, least=1, whole=True)


def reading_times(history: Sequence[StatsSample]) -> list[float]:
    """Seconds since the first reading; one a second when the engine sent no times."""
    moments = [sample.seconds for sample in history]
    if None in moments:
        return [float(i) for i in range(len(history))]
    return [moment - moments[0] for moment in moments]


def seconds_text(seconds: float) -> str:
    return "1 second" if round(seconds) == 1 else f"{round(seconds)} seconds"


def chart(
    name: str,
    title: str,
    axis: TimeAxis,
    scale: Scale,
    series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    elapsed: float,
) -> Chart:
    top = scale.label(scale.top)
    reach = f"{scale.label(0)} to {top}" + (f", {scale.limit}" if scale.limit else "")
    return Chart(
        name=name,
        description=f"{title} over {seconds_text(elapsed)} since the first reading, {reach}",
        y_ticks=[charts.Tick(tick.at + charts.TOP_ROOM, tick.label) for tick in scale.ticks()],
        x_ticks=axis.ticks(),
        limit=scale.limit,
        host=scale.host,
        lines=[
            Line(css, points)
            for css, times, values in series
            for points in charts.lines(times, values, axis, scale)
        ],
    )


def panel_charts(history: Sequence[StatsSample], limits: StatsLimits | None) -> dict[str, Chart]:
    """CPU, memory, network, block I/O and PIDs over the window, in the panel's order."""
    times = reading_times(history)
    elapsed = times[-1] if times else 0.0
    axis = charts.time_axis(elapsed)

    def shown(at: Sequence[float], values: Sequence[float]) -> list[float]:
        return [v for t, v in zip(at, values, strict=True) if t >= axis.left]

    def counters(name: str) -> tuple[list[float], list[float]]:
        return charts.rates(times, [getattr(sample, name) for sample in history])

    cpu = [sample.cpu_percent for sample in history]
    memory = [float(sample.memory_used) for sample in history]
    count = [float(sample.pids) for sample in history]
    rx, tx, read, write = (
        counters(n) for n in ("network_rx", "network_tx", "block_read", "block_write")
    )
    reported = history[-1].memory_limit if history else 0
    network = rate_scale(shown(*rx) + shown(*tx))
    block = rate_scale(shown(*read) + shown(*write))
    made = [
        chart(name, title, axis, scale, series, elapsed)
        for name, title, scale, series in (
            ("cpu", "CPU", cpu_scale(limits, shown(times, cpu)), [("line-a", times, cpu)]),
            (
                "memory",
                "Memory",
                memory_scale(limits, reported, shown(times, memory)),
                [("line-a", times, memory)],
            ),
            (
                "network",
                "Bytes received and sent a second",
                network,
                [("line-a", *rx), ("line-b", *tx)],
            ),
            (
                "block",
                "Bytes read and written a second",
                block,
                [("line-a", *read), ("line-b", *write)],
            ),
            (
                "pids",
                "Processes",
                pids_scale(limits, shown(times, count)),
                [("line-a", times, count)],
            ),
        )
    ]
    return {each.name: each for each in made}
