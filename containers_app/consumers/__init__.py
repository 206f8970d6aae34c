"""Websocket consumers, one module per kind of stream."""

from .live import ContainerStatsConsumer, EventsConsumer, StatsTableConsumer
from .logs import LogsConsumer, MergedLogsConsumer
from .terminal import TerminalConsumer
