"""Work that outlives its request (pulls, pushes, builds), watched from a page that can be
closed and opened again."""

from .builds import BuildJob, cancel_build, get_build, start_build
from .transfers import LayerProgress, PullJob, get_job, start_pull, start_push

__all__ = [
    "BuildJob",
    "LayerProgress",
    "PullJob",
    "cancel_build",
    "get_build",
    "get_job",
    "start_build",
    "start_pull",
    "start_push",
]
