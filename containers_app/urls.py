"""HTTP routes, one namespace per kind of object (`containers:detail`, `images:list`)."""

from django.urls import path

from .views import (
    builds,
    container_actions,
    container_tabs,
    containers,
    files,
    image_actions,
    images,
    logs,
    moving,
    networks,
    prune,
    recreate,
    run,
    volumes,
)

containers_urls = (
    [
        path("", containers.container_list, name="list"),
        path("run/", run.run_form, name="run"),
        path("bulk/", container_actions.bulk_action, name="bulk"),
        path("prune/", prune.prune_view, {"kind": "container"}, name="prune"),
        path("<str:ref>/", containers.container_detail, name="detail"),
        path("<str:ref>/logs/", container_tabs.container_logs, name="logs"),
        path("<str:ref>/logs/download", logs.download_logs, name="logs-download"),
        path("<str:ref>/terminal/", container_tabs.container_terminal, name="terminal"),
        path("<str:ref>/stats/", container_tabs.container_stats, name="stats"),
        path("<str:ref>/top/", container_tabs.container_top, name="top"),
        path("<str:ref>/files/", files.container_files, name="files"),
        path("<str:ref>/files/download", files.download_files, name="files-download"),
        path("<str:ref>/files/upload/", files.upload_files, name="files-upload"),
        path("<str:ref>/diff/", files.container_diff, name="diff"),
        path("<str:ref>/isolation/", container_tabs.container_isolation, name="isolation"),
        path("<str:ref>/run-command/", recreate.run_command, name="run-command"),
        path("<str:ref>/compose/", recreate.compose, name="compose"),
        path("<str:ref>/<str:verb>/", container_actions.container_action, name="action"),
    ],
    "containers",
)

images_urls = (
    [
        path("", images.image_list, name="list"),
        path("pull/", image_actions.pull_form, name="pull"),
        path("pull/<str:job_id>/", image_actions.pull_progress, name="pull-job"),
        path("build/", builds.build_form, name="build"),
        path("build/<str:build_id>/", builds.build_page, name="build-job"),
        path("build/<str:build_id>/cancel/", builds.cancel_build, name="build-cancel"),
        path("push/<str:job_id>/", moving.push_progress, name="push-job"),
        path("save/", moving.save_form, name="save"),
        path("load/", moving.load_form, name="load"),
        path("prune/", prune.prune_view, {"kind": "image"}, name="prune"),
        path("<str:ref>/tag/", image_actions.image_action, {"verb": "tag"}, name="tag"),
        path("<str:ref>/remove/", image_actions.image_action, {"verb": "remove"}, name="remove"),
        path("<str:ref>/layers/", moving.image_layers, name="layers"),
        path("<str:ref>/push/", moving.push_form, name="push"),
        path("<path:ref>/", images.image_detail, name="detail"),
    ],
    "images",
)

volumes_urls = (
    [
        path("", volumes.volume_list, name="list"),
        path("create/", volumes.create_volume, name="create"),
        path("prune/", prune.prune_view, {"kind": "volume"}, name="prune"),
        path("<str:name>/", volumes.volume_detail, name="detail"),
        path("<str:name>/remove/", volumes.remove_volume, name="remove"),
        path("<str:name>/files/", volumes.volume_files, name="files"),
        path("<str:name>/download", volumes.volume_download, name="download"),
    ],
    "volumes",
)

networks_urls = (
    [
        path("", networks.network_list, name="list"),
        path("create/", networks.create_network, name="create"),
        path("prune/", prune.prune_view, {"kind": "network"}, name="prune"),
        path("<str:ref>/", networks.network_detail, name="detail"),
        path("<str:ref>/<str:verb>/", networks.network_action, name="action"),
    ],
    "networks",
)
