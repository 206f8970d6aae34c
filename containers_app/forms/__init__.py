"""Forms that validate what people type and return specs.

Each form's `spec` (after `is_valid()`) is what `cli.py` turns into the
command shown and what `actions.py` carries out. Every field is limited to
64 KB; every message names the field and says what to write instead.
"""

from .base import ContainerForm, SpecForm
from .containers import (
    CommitForm,
    ExecForm,
    KillForm,
    LifecycleForm,
    RemoveContainerForm,
    RenameForm,
    TerminalForm,
)
from .images import PruneForm, PullForm, RemoveImageForm, TagForm
from .logs import LogsForm
from .networks import ConnectForm, CreateNetworkForm, DisconnectForm, RemoveNetworkForm
from .run import RunForm
from .volumes import CreateVolumeForm, RemoveVolumeForm

__all__ = [
    "CommitForm",
    "ConnectForm",
    "ContainerForm",
    "CreateNetworkForm",
    "CreateVolumeForm",
    "DisconnectForm",
    "ExecForm",
    "KillForm",
    "LifecycleForm",
    "LogsForm",
    "PruneForm",
    "PullForm",
    "RemoveContainerForm",
    "RemoveImageForm",
    "RemoveNetworkForm",
    "RemoveVolumeForm",
    "RenameForm",
    "RunForm",
    "SpecForm",
    "TagForm",
    "TerminalForm",
]
