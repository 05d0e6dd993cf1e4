"""klforge._io.write_atomic: content, permissions of existing and new files, symlinks, and no
temporary file left behind (issue 12: every written file used to become 0600)."""

import os
import stat
import subprocess
import sys

import pytest

from klforge._io import new_file_mode, umask, write_atomic


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def mask():
    """Run the test under a known umask (027: group keeps read, others nothing)."""
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


def test_existing_file_keeps_its_mode(tmp_path, mask):
    doc = tmp_path / "doc.md"
    doc.write_text("old\n")
    os.chmod(doc, 0o664)  # shared with a group, more open than the umask allows
    write_atomic(doc, "new\n")
    assert doc.read_text() == "new\n"
    assert mode(doc) == 0o664
    os.chmod(doc, 0o600)
    write_atomic(doc, b"bytes\n")
    assert doc.read_bytes() == b"bytes\n" and mode(doc) == 0o600


def test_new_file_gets_0666_masked_by_the_umask(tmp_path, mask):
    out = tmp_path / "sub" / "out.json"
    write_atomic(out, "{}\n")
    assert out.read_text() == "{}\n"
    assert mode(out) == 0o666 & ~0o027 == 0o640
    # the same mode as a plain open(…, "w") under this umask (the reference)
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert mode(out) == mode(plain)


def test_umask_is_read_without_changing_it(mask):
    assert umask() == 0o027 and new_file_mode() == 0o640
    assert os.umask(0o027) == 0o027  # still set


def test_umask_follows_the_process(tmp_path):
    """A fresh process with umask 002 creates group-writable files."""
    code = ("import os, stat, sys; os.umask(0o002)\n"
            "from klforge._io import write_atomic\n"
            "write_atomic(sys.argv[1], 'x')\n"
            "print(oct(stat.S_IMODE(os.stat(sys.argv[1]).st_mode)))")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "f")], capture_output=True,
                       text=True)
    assert r.stdout.strip() == "0o664", r.stderr


def test_symlink_is_written_through(tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old")
    os.chmod(target, 0o644)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new" and mode(target) == 0o644


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("old")

    class Boom(str):
        def encode(self, *a):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomic(doc, Boom("new"))
    assert doc.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]


def test_directory_or_device_is_refused_naming_the_path(tmp_path):
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        write_atomic(tmp_path, "x")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_an_unwritable_place_is_reported_under_the_path_asked_for():
    """/proc accepts no new file: the error names /proc/version, not a temporary file."""
    with pytest.raises(OSError) as e:
        write_atomic("/proc/version", "x")
    assert e.value.filename == "/proc/version" and ".tmp" not in str(e.value)


def test_build_dir_is_never_site_packages(tmp_path, monkeypatch):
    """Under a wheel install ROOT is site-packages: maintainer outputs go to the user's cache;
    in the checkout to build/klforge; $KLFORGE_BUILD_DIR wins over both."""
    import klforge._io as io

    monkeypatch.delenv("KLFORGE_BUILD_DIR", raising=False)
    assert io.build_dir() == io.ROOT / "build" / "klforge"  # this checkout
    site_packages = tmp_path / "site-packages"
    (site_packages / "klforge").mkdir(parents=True)
    monkeypatch.setattr(io, "ROOT", site_packages)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert io.build_dir() == tmp_path / "cache" / "klforge" / "build"
    monkeypatch.setenv("KLFORGE_BUILD_DIR", str(tmp_path / "b"))
    assert io.build_dir() == tmp_path / "b"
