"""A container's files through the archive API (`docker cp`): running or stopped, nothing
run inside it. Paths are the container's; a symbolic link is read as a link, never
followed (the engine hands back the link itself, as `docker cp` copies it)."""

from __future__ import annotations

import io
import posixpath
import stat as stat_module
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .client import DockerServiceError, client, engine_call
from .times import from_epoch, parse_docker_time

LISTING_BYTES = 256 * 1024 * 1024  # a directory's tar read for its listing stops here
GO_DIR = 1 << 31  # Go's os.ModeDir, as the engine's path stat reports it
GO_LINK = 1 << 27  # os.ModeSymlink


@dataclass(frozen=True)
class FileEntry:
    name: str
    path: str
    kind: str  # "dir", "file", "link", or "other" (a device, a pipe...)
    size: int
    mode: str  # as `ls -l` prints it: drwxr-xr-x
    owner: str  # uid:gid (names live in the container's /etc/passwd)
    modified: datetime | None
    link_target: str = ""


@dataclass(frozen=True)
class PathStat:
    path: str
    kind: str
    size: int
    mode: str
    modified: datetime | None
    link_target: str


@dataclass(frozen=True)
class Listing:
    stat: PathStat
    entries: tuple[FileEntry, ...]
    complete: bool  # False: the directory's tar was larger than LISTING_BYTES


class ChunkReader(io.RawIOBase):
    """The engine's tar stream (an iterator of chunks) as a file tarfile can read."""

    def __init__(self, chunks: Iterator[bytes], limit: int | None = None):
        self.chunks = chunks
        self.buffer = b""
        self.read_bytes = 0
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer:
            if self.limit is not None and self.read_bytes >= self.limit:
                raise ListingTooLarge
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.buffer = chunk
            self.read_bytes += len(chunk)
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


class ListingTooLarge(Exception):
    pass


def _kind_of_tar(member: tarfile.TarInfo) -> str:
    if member.isdir():
        return "dir"
    if member.issym() or member.islnk():
        return "link"
    return "file" if member.isfile() else "other"


def _path_stat(path: str, stat: dict) -> PathStat:
    mode = stat.get("mode", 0)
    kind = "dir" if mode & GO_DIR else "link" if mode & GO_LINK else "file"
    unix_mode = (mode & 0o777) | {"dir": stat_module.S_IFDIR, "link": stat_module.S_IFLNK}.get(
        kind, stat_module.S_IFREG
    )
    return PathStat(
        path=path,
        kind=kind,
        size=stat.get("size", 0),
        mode=stat_module.filemode(unix_mode),
        modified=parse_docker_time(stat.get("mtime")),
        link_target=stat.get("linkTarget", ""),
    )


def list_directory(container: str, path: str) -> Listing:
    """The entries right under `path` (a directory; a file or link lists as itself).

    The engine sends the whole subtree as a tar: its headers are read and the contents
    skipped, up to LISTING_BYTES.
    """
    api = client()
    with engine_call("file", f"{container}:{path}"):
        chunks, stat = api.get_archive(container, path, chunk_size=256 * 1024)
        info = _path_stat(path, stat)
        entries: list[FileEntry] = []
        complete = True
        reader = ChunkReader(iter(chunks), LISTING_BYTES)
        try:
            with tarfile.open(fileobj=io.BufferedReader(reader, 1024 * 1024), mode="r|") as tar:
                for member in tar:
                    parts = member.name.rstrip("/").split("/")
                    if info.kind == "dir" and len(parts) != 2:
                        continue  # the directory itself, or deeper down
                    entries.append(_entry(path, parts[-1], member, info.kind == "dir"))
        except ListingTooLarge:
            complete = False
        except tarfile.TarError as exc:
            message = f"the engine's archive of {path} could not be read: {exc}"
            raise DockerServiceError(message) from exc
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
    entries.sort(key=lambda e: (e.kind != "dir", e.name))
    return Listing(info, tuple(entries), complete)


def _entry(directory: str, name: str, member: tarfile.TarInfo, inside: bool) -> FileEntry:
    path = posixpath.join(directory, name) if inside else directory
    return FileEntry(
        name=name,
        path=path,
        kind=_kind_of_tar(member),
        size=member.size,
        mode=stat_module.filemode(member.mode | _type_bits(member)),
        owner=f"{member.uid}:{member.gid}",
        modified=from_epoch(member.mtime),
        link_target=member.linkname,
    )


def _type_bits(member: tarfile.TarInfo) -> int:
    if member.isdir():
        return stat_module.S_IFDIR
    if member.issym():
        return stat_module.S_IFLNK
    if member.ischr():
        return stat_module.S_IFCHR
    if member.isblk():
        return stat_module.S_IFBLK
    if member.isfifo():
        return stat_module.S_IFIFO
    return stat_module.S_IFREG


def _open_file(tar: tarfile.TarFile, path: str) -> tuple[tarfile.TarInfo, io.BufferedReader]:
    """The one member of a `docker cp` tar of a file, and its content."""
    member = tar.next()
    if member is None or not member.isfile():
        raise DockerServiceError(f"{path or 'it'} is not a regular file")
    return member, tar.extractfile(member)


def _tar_of(chunks: Iterator[bytes]) -> tarfile.TarFile:
    return tarfile.open(
        fileobj=io.BufferedReader(ChunkReader(iter(chunks)), 1024 * 1024), mode="r|"
    )


def file_from_tar(chunks: Iterator[bytes], path: str = "") -> Iterator[bytes]:
    """The one regular file of a `docker cp` tar (`chunks`), block by block."""
    with _tar_of(chunks) as tar:
        _, content = _open_file(tar, path)
        while block := content.read(256 * 1024):
            yield block


def read_file(container: str, path: str, limit: int) -> tuple[bytes, int]:
    """Up to `limit` bytes of a regular file, and its whole size."""
    chunks = archive_stream(container, path)
    try:
        with _tar_of(chunks) as tar:
            member, content = _open_file(tar, path)
            return content.read(limit), member.size
    finally:
        chunks.close()


def archive_stream(container: str, path: str) -> Iterator[bytes]:
    """The tar `docker cp CONTAINER:PATH -` writes, chunk by chunk; errors before the first."""
    api = client()
    with engine_call("file", f"{container}:{path}"):
        chunks, _ = api.get_archive(container, path, chunk_size=256 * 1024)
    return _guarded(chunks, container, path)


def _guarded(chunks, container: str, path: str) -> Iterator[bytes]:
    with engine_call("file", f"{container}:{path}"):
        yield from chunks


def put_archive(container: str, directory: str, tar_file) -> None:
    """Extract a tar (an open file, streamed as it is read) into `directory`."""
    api = client()
    with engine_call("directory", f"{container}:{directory}"):
        api.put_archive(container, directory, tar_file)


DIFF_KINDS = {0: "changed", 1: "added", 2: "deleted"}


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # changed, added, deleted


def container_diff(container: str) -> list[Change]:
    """`docker diff`: what the container's writable layer changed, added and deleted."""
    api = client()
    with engine_call("container", container):
        changes = api.diff(container) or []
    return sorted(
        (Change(c["Path"], DIFF_KINDS.get(c.get("Kind"), "changed")) for c in changes),
        key=lambda c: c.path,
    )
