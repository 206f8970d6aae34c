"""A build's context as the tar the engine takes: from a Dockerfile typed in (with files
beside it), an uploaded archive, or a directory on the Docker host.

A directory (and a zip, once unpacked) is packed as the CLI packs it: with docker-py's
`utils.tar`, leaving out what `.dockerignore` names. A tar (plain, gzip, bzip2 or xz)
goes to the engine as it is: the engine unpacks it, as it does for `docker build -`.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import IO

from docker.utils import build as sdk_build

SPOOL_BYTES = 8 * 1024 * 1024
DOCKERFILE = "Dockerfile"
ZIP_MAGIC = b"PK\x03\x04"


class ContextProblem(ValueError):
    """What is wrong with a context, in words for the field it came from."""


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def dockerfile_context(dockerfile: str, files: list[tuple[str, IO[bytes]]]) -> IO[bytes]:
    """A tar of the Dockerfile and the files beside it (plain names: COPY finds them at .)."""
    context = _spool()
    with tarfile.open(fileobj=context, mode="w") as tar:
        _add(tar, DOCKERFILE, dockerfile.encode())
        for name, content in files:
            info = tarfile.TarInfo(name)
            content.seek(0, os.SEEK_END)
            info.size, info.mode = content.tell(), 0o644
            content.seek(0)
            tar.addfile(info, content)
    context.seek(0)
    return context


DOCKERFILE_READ = 1024 * 1024  # more than any Dockerfile; what is read of one to check it


def dockerfile_in(context: IO[bytes]) -> str:
    """The Dockerfile a context tar holds at its top (the tar is left at its start)."""
    context.seek(0)
    try:
        with tarfile.open(fileobj=context, mode="r:*") as tar:
            for member in tar:
                if member.name.removeprefix("./") == DOCKERFILE and member.isfile():
                    handle = tar.extractfile(member)
                    return handle.read(DOCKERFILE_READ).decode("utf-8", "replace") if handle else ""
    finally:
        context.seek(0)
    return ""


def is_zip(upload: IO[bytes]) -> bool:
    upload.seek(0)
    magic = upload.read(4)
    upload.seek(0)
    return magic == ZIP_MAGIC


def archive_context(upload: IO[bytes], unpacked_limit: int) -> IO[bytes]:
    """The uploaded tar (as it is) or zip (unpacked, then packed as a directory), checked to
    hold a Dockerfile at its top."""
    if is_zip(upload):
        return _zip_context(upload, unpacked_limit)
    try:
        with tarfile.open(fileobj=upload, mode="r:*") as tar:
            names = {name.removeprefix("./") for name in tar.getnames()}
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ContextProblem(
            "this is not an archive the engine can read: send a tar, tar.gz (or .bz2, .xz) or zip"
        ) from exc
    if DOCKERFILE not in names:
        raise ContextProblem(f"the archive has no {DOCKERFILE} at its top: put one there")
    context = _spool()
    upload.seek(0)
    while block := upload.read(1024 * 1024):
        context.write(block)
    context.seek(0)
    return context


def _zip_context(upload: IO[bytes], unpacked_limit: int) -> IO[bytes]:
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as exc:
        raise ContextProblem("this zip cannot be read: it is damaged or cut short") from exc
    with archive, tempfile.TemporaryDirectory(prefix="dockside-context-") as directory:
        if sum(item.file_size for item in archive.infolist()) > unpacked_limit:
            raise ContextProblem(
                f"the zip unpacks to more than {unpacked_limit // 2**20} MB: send a smaller one"
            )
        if DOCKERFILE not in archive.namelist():
            raise ContextProblem(f"the zip has no {DOCKERFILE} at its top: put one there")
        try:
            archive.extractall(directory)  # noqa: S202 - zipfile makes names with .. or / safe
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ContextProblem(f"this zip cannot be unpacked: {exc}") from exc
        return directory_context(directory)


def check_directory(path: str) -> Path:
    """The directory, as a real path (links followed), if it holds a Dockerfile."""
    root = Path(os.path.realpath(path))
    if not root.is_dir():
        raise ContextProblem(f"{path} is not a directory on the Docker host")
    if not (root / DOCKERFILE).is_file():
        raise ContextProblem(f"{path} has no {DOCKERFILE}")
    return root


def read_dockerfile(root: Path) -> str:
    with (root / DOCKERFILE).open("rb") as handle:
        return handle.read(DOCKERFILE_READ).decode("utf-8", "replace")


def directory_context(path: str) -> IO[bytes]:
    """The directory packed as `docker build PATH` packs it (`.dockerignore` honoured)."""
    root = check_directory(path)
    exclude = None
    ignore = root / ".dockerignore"
    if ignore.is_file():
        lines = (line.strip() for line in ignore.read_text(errors="replace").splitlines())
        exclude = [line for line in lines if line and not line.startswith("#")]
    try:
        return sdk_build.tar(str(root), exclude=exclude, dockerfile=(DOCKERFILE, None))
    except OSError as exc:
        raise ContextProblem(f"{path} could not be read: {exc.strerror or exc}") from exc
