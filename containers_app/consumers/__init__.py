"""Websocket consumers, one module per kind of stream."""

from .access import NoSuchRoute
from .live import ContainerStatsConsumer, EventsConsumer, StatsTableConsumer
from .logs import LogsConsumer, MergedLogsConsumer
from .terminal import TerminalConsumer
