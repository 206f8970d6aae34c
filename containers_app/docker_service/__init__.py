"""The only package that talks to the Docker engine.

It hands back plain frozen dataclasses, never SDK objects, and turns every
failure into one of our own errors. Lists use one Engine API call each.
"""

from .builds import (
    BuildCancelled,
    BuildFailed,
    BuildRequest,
    BuildStream,
    build_platforms_supported,
    start_build,
)
from .client import (
    DEFAULT_ENDPOINT,
    LOCAL,
    Conflict,
    DockerServiceError,
    Endpoint,
    EngineUnavailable,
    InvalidRequest,
    NotFound,
    TLSMaterial,
    client,
    current_endpoint,
    describe_connection_error,
    endpoint,
    forget_client,
    http_status,
    local_endpoint,
    plain_cause,
    using,
)
from .containers import (
    ContainerDetail,
    ContainerSummary,
    commit_container,
    container_detail,
    container_lifecycle,
    create_container,
    inspect_container,
    inspect_container_data,
    list_containers,
    remove_container,
    rename_container,
    start_container,
    stats_once,
    top,
)
from .engine import EngineInfo, engine_changed, engine_info, engine_version
from .files import (
    FileEntry,
    Listing,
    PathStat,
    archive_stream,
    container_diff,
    file_from_tar,
    list_directory,
    put_archive,
    read_file,
)
from .http_streams import LogOptions, Stream, open_all_events, open_events, open_logs, open_stats
from .images import (
    ImageDetail,
    ImageSummary,
    PullFailed,
    RemovedImage,
    image_id,
    image_present,
    image_user,
    inspect_image,
    list_images,
    pull_image,
    remove_image,
    tag_image,
)
from .layers import ImageLayers, LayerRow, WritableLayer, image_layers
from .moving import (
    PushFailed,
    SearchResult,
    load_images,
    push_image,
    registry_login,
    save_images,
    search_images,
)
from .networks import (
    BUILT_IN,
    NetworkDetail,
    NetworkSummary,
    connect_network,
    create_network,
    disconnect_network,
    inspect_network,
    list_networks,
    remove_network,
)
from .processes import ProcessResult, exec_once, run_in_foreground
from .projects import Made, labelled_networks_and_volumes
from .prune import PruneResult, prune, prune_candidates, volume_prune_tells_named
from .registry_http import Catalog, RegistryError, catalog, tags
from .run_recreate import Recreated, recreate, recreate_container
from .system import DiskUsage, EngineEssentials, disk_usage, engine_essentials
from .terminal import (
    TerminalSession,
    default_shell,
    end_session,
    open_terminal,
    path_exists,
    resize_terminal,
)
from .volumes import (
    HELPER_MOUNT,
    VolumeDetail,
    VolumeSummary,
    create_volume,
    helper_image,
    inspect_volume,
    list_volumes,
    remove_volume,
    volume_bind_device,
    volume_helper,
    volume_path,
    volume_stream,
)
