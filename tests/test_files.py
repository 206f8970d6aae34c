"""A container's files (`docker cp`, the archive API) and changes (`docker diff`), against
the real engine; the CLI proves downloads byte for byte."""

from __future__ import annotations

import io
import subprocess
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from tests.pages import text
from tests.posting import assert_audited, last_entry

pytestmark = pytest.mark.django_db

SETUP = (
    "mkdir -p /work/sub && echo 'hello <b>there</b>' > /work/note.txt"
    " && ln -s /etc/passwd /work/link && head -c 3000 /dev/urandom > /work/blob"
    " && rm /etc/hostname.bak 2>/dev/null; true"
)


@pytest.fixture
def stopped(make_container) -> dict:
    """A container that wrote a few files and exited: files are read without running it."""
    return make_container(["sh", "-c", SETUP], hint="files", wait=True)


def files_page(client, container: dict, path: str, **query):
    return client.get(f"/containers/{container['Id'][:12]}/files/", {"path": path, **query})


def cli_copy(container: dict, path: str) -> bytes:
    return subprocess.run(
        ["docker", "cp", f"{container['Id']}:{path}", "-"], check=True, capture_output=True
    ).stdout


def test_a_directory_lists_its_entries_with_mode_owner_and_links(admin_client, stopped):
    html = files_page(admin_client, stopped, "/work").content.decode()

    name = stopped["Name"][1:]
    assert f"docker cp {name}:/work - | tar -tv" in text(html)
    table = html.split('id="file-table"')[1].split("</table>")[0]
    for entry in ("sub/", "note.txt", "link", "blob"):
        assert f">{entry}</a>" in table, entry
    assert "drwxr-xr-x" in table and "-rw-r--r--" in table and "0:0" in table
    assert "lrwxrwxrwx" in table and "→ /etc/passwd" in table


def test_a_link_is_shown_as_a_link_and_opens_its_target_inside(admin_client, stopped):
    html = files_page(admin_client, stopped, "/work/link").content.decode()

    assert "is a symbolic link to" in html and "/etc/passwd" in html
    assert "?path=/etc/passwd" in html, "the target is a path in the same container"


@pytest.mark.parametrize("path", ["etc", "../etc", "/etc\x00x", "/" + "a" * 5000])
def test_a_bad_path_is_a_400_with_words(admin_client, stopped, path):
    response = files_page(admin_client, stopped, path)

    assert response.status_code == 400
    assert "is not a path in the container" in text(response.content.decode())


def test_dot_dot_cannot_climb_above_the_root(admin_client, stopped):
    html = files_page(admin_client, stopped, "/../../work").content.decode()

    assert "note.txt" in html and "docker cp" in text(html) and ":/work - | tar" in text(html)


def test_a_missing_path_is_a_404_that_says_so(admin_client, stopped):
    response = files_page(admin_client, stopped, "/no/such/place")

    assert response.status_code == 404
    assert "/no/such/place does not exist in" in text(response.content.decode())


def test_a_text_file_is_shown_escaped_and_the_read_is_audited(admin_client, stopped):
    html = files_page(admin_client, stopped, "/work/note.txt", show="1").content.decode()

    assert "hello &lt;b&gt;there&lt;/b&gt;" in html and "<b>there</b>" not in html
    assert_audited(
        "copy_from", f"docker cp {stopped['Name'][1:]}:/work/note.txt .", stopped["Name"][1:]
    )
    binary = files_page(admin_client, stopped, "/work/blob", show="1").content.decode()
    assert "binary data" in binary


def test_downloads_are_what_docker_cp_writes(admin_client, stopped):
    url = f"/containers/{stopped['Id'][:12]}/files/download"

    tar = b"".join(admin_client.get(url, {"path": "/work"}))

    assert tar == cli_copy(stopped, "/work"), "the tar is the engine's, byte for byte"
    assert_audited("copy_from", f"docker cp {stopped['Name'][1:]}:/work -", stopped["Name"][1:])
    single = admin_client.get(url, {"path": "/work/blob", "as": "file"})
    with tarfile.open(fileobj=io.BytesIO(cli_copy(stopped, "/work/blob"))) as archive:
        expected = archive.extractfile("blob").read()
    assert b"".join(single) == expected
    assert 'filename="blob"' in single["Content-Disposition"]


def test_an_upload_lands_in_the_directory_and_a_tar_is_extracted(admin_client, make_container):
    container = make_container(hint="upload")
    name = container["Name"][1:]
    url = f"/containers/{container['Id'][:12]}/files/upload/"
    payload = bytes(range(256)) * 40

    response = admin_client.post(
        url, {"directory": "/tmp", "file": SimpleUploadedFile("data.bin", payload)}
    )

    assert response.status_code == 302
    assert_audited("copy_to", f"docker cp ./data.bin {name}:/tmp", name)
    with tarfile.open(fileobj=io.BytesIO(cli_copy(container, "/tmp/data.bin"))) as archive:
        assert archive.extractfile("data.bin").read() == payload
        assert archive.getmember("data.bin").mode & 0o777 == 0o644

    bundle = io.BytesIO()
    with tarfile.open(fileobj=bundle, mode="w") as archive:
        for member_name, body in (("a.txt", b"alpha"), ("d/b.txt", b"beta")):
            info = tarfile.TarInfo(member_name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    upload = SimpleUploadedFile("bundle.tar", bundle.getvalue())
    response = admin_client.post(url, {"directory": "/tmp", "file": upload, "extract": "on"})

    assert response.status_code == 302
    assert_audited("copy_to", f"docker cp - {name}:/tmp", name)
    with tarfile.open(fileobj=io.BytesIO(cli_copy(container, "/tmp/d/b.txt"))) as archive:
        assert archive.extractfile("b.txt").read() == b"beta"


def test_an_upload_over_the_limit_or_not_a_tar_is_refused_and_nothing_written(
    admin_client, make_container, settings
):
    settings.DOCKSIDE_UPLOAD_MAX_MB = 1
    container = make_container(hint="upload-limit")
    url = f"/containers/{container['Id'][:12]}/files/upload/"
    big = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))

    response = admin_client.post(url, {"directory": "/tmp", "file": big})

    assert response.status_code == 413
    assert "larger than 1 MiB" in text(response.content.decode())
    assert last_entry("copy_to").outcome == "failed"
    not_tar = SimpleUploadedFile("plain.tar", b"not a tar at all")
    response = admin_client.post(url, {"directory": "/tmp", "file": not_tar, "extract": "on"})
    assert response.status_code == 302
    assert last_entry("copy_to").error == (
        "rejected: plain.tar is not a tar archive (untick Extract to copy it as one file)"
    )
    listing = files_page(admin_client, container, "/tmp").content.decode()
    table = listing.split('id="file-table"')[1].split("</table>")[0]
    assert "big.bin" not in table and "plain.tar" not in table


def test_an_upload_into_a_missing_directory_says_so(admin_client, make_container):
    container = make_container(hint="upload-missing")
    url = f"/containers/{container['Id'][:12]}/files/upload/"

    response = admin_client.post(
        url, {"directory": "/no/such/dir", "file": SimpleUploadedFile("f.txt", b"x")}
    )

    assert response.status_code == 404
    assert "Not copied" in text(response.content.decode())
    assert last_entry("copy_to").outcome == "failed"


def test_files_take_the_operator_role_and_host_reach_takes_an_admin(
    viewer_client, operator_client, admin_client, make_container, tmp_path
):
    plain = make_container(hint="files-role")
    reaching = make_container(hint="files-reach", host_config={"binds": [f"{tmp_path}:/host"]})

    assert files_page(viewer_client, plain, "/").status_code == 403
    assert files_page(operator_client, plain, "/").status_code == 200
    download = f"/containers/{reaching['Id'][:12]}/files/download"
    assert operator_client.get(download, {"path": "/host"}).status_code == 403
    entry = last_entry("copy_from")
    assert entry.outcome == "failed" and "reaches the host" in entry.error
    assert admin_client.get(download, {"path": "/host"}).status_code == 200


def test_diff_is_a_tree_of_what_the_container_changed(admin_client, viewer_client, stopped):
    cli = subprocess.run(
        ["docker", "diff", stopped["Id"]], check=True, capture_output=True, text=True
    ).stdout.split("\n")
    changes = {line[2:]: line[0] for line in cli if line}

    html = viewer_client.get(f"/containers/{stopped['Id'][:12]}/diff/").content.decode()

    assert f"docker diff {stopped['Name'][1:]}" in text(html)
    tree = html.split('id="diff-tree"')[1]
    assert changes["/work/note.txt"] == "A" and ">note.txt<" in tree
    added = sum(kind == "A" for kind in changes.values())
    assert f"{added} added (A)" in text(html) and f"<strong>{len(changes)}</strong>" in html
    assert "/files/" not in tree, "a viewer gets no links to the files"
    linked = admin_client.get(f"/containers/{stopped['Id'][:12]}/diff/").content.decode()
    assert "?path=/work/note.txt" in linked
    assert AuditEntry.objects.filter(action="copy_from").count() == 0, "listing reads nothing"
