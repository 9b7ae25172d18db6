"""tools/check-layers: every include of the kernel's sources goes down its layers.

The tree as it is must pass. Copies of it with one bad include added must
fail, naming the file, the line and the direction: up from mm to the root,
sideways between sharing and zswap, into a backend from the core; an include
of a file that does not exist is its own error. An exception the script lists
(make_resident's dispatch) stays allowed, and the same include from any other
file of the folder is not.
"""
import shutil
import subprocess

import pytest
from memvisor import ROOT

CHECK_LAYERS = ROOT / "tools" / "check-layers"
SOURCE_DIRS = ("boot", "kernel", "vmm")


def run(root=None):
    cmd = ["/usr/bin/python3", str(CHECK_LAYERS)] + (["--root", str(root)] if root else [])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def tree(tmp_path):
    """A copy of the kernel's sources, to add a bad include to."""
    for d in SOURCE_DIRS:
        shutil.copytree(ROOT / d, tmp_path / d)
    return tmp_path


def add_include(tree, rel, header):
    """Appends `#include "header"` to rel; returns its line number."""
    path = tree / rel
    lines = path.read_text().splitlines()
    lines.append(f'#include "{header}"')
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def test_the_tree_passes_with_a_summary_line():
    r = run()
    assert r.returncode == 0, f"expected exit 0, saw {r.returncode}:\n{r.stdout}{r.stderr}"
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("check-layers: ") and "every one goes down" in lines[0], \
        f"expected one summary line, saw {lines}"


@pytest.mark.parametrize("rel, header, direction", [
    ("vmm/mm/pmap.c", "vmm/vmm.h", "up from mm (layer 30) to vmm root (layer 70)"),
    ("vmm/zswap/clock.c", "vmm/sched.h", "up from zswap (layer 40) to vmm root (layer 70)"),
    ("vmm/share/scan.c", "vmm/zswap/zswap.h", "sideways from share to its sibling zswap"),
    ("vmm/mm/guest_frames.c", "vmm/share/marks.h", "up from mm (layer 30) to share (layer 40)"),
    ("vmm/vm.h", "vmm/balloon/balloon.h", "up from vm data (layer 20) to balloon (layer 45)"),
    ("vmm/exit.c", "vmm/svm/svm.h", "into the svm backend"),
    ("vmm/cpu/emulate.c", "vmm/exit.h", "up from cpu (layer 60) to vmm root (layer 70)"),
])
def test_a_bad_include_fails_naming_file_line_and_direction(tree, rel, header, direction):
    line = add_include(tree, rel, header)
    r = run(tree)
    expected = f'{rel}:{line}: #include "{header}" goes {direction}'
    assert r.returncode == 1, f"expected exit 1, saw {r.returncode}:\n{r.stdout}{r.stderr}"
    assert any(l.startswith(expected) for l in r.stdout.splitlines()), \
        f"expected a line starting {expected!r}, saw:\n{r.stdout}"
    assert len(r.stdout.splitlines()) == 1, f"expected only that include reported, saw:\n{r.stdout}"


def test_the_fault_paths_dispatch_is_allowed_there_only(tree):
    assert '#include "vmm/share/cow.h"' in (ROOT / "vmm/mm/memory.c").read_text()
    line = add_include(tree, "vmm/mm/pmap.c", "vmm/share/cow.h")
    r = run(tree)
    assert r.returncode == 1, f"expected exit 1, saw {r.returncode}:\n{r.stdout}{r.stderr}"
    assert r.stdout.startswith(f'vmm/mm/pmap.c:{line}: #include "vmm/share/cow.h" goes up'), r.stdout


def test_an_include_of_no_file_is_an_error(tree):
    line = add_include(tree, "vmm/vmm.c", "vmm/no_such_header.h")
    r = run(tree)
    assert r.returncode == 2, f"expected exit 2, saw {r.returncode}:\n{r.stdout}{r.stderr}"
    assert f'vmm/vmm.c:{line}: #include "vmm/no_such_header.h": no such file' in r.stdout, r.stdout


def test_a_root_that_is_not_a_tree_is_refused(tmp_path):
    r = run(tmp_path)
    assert r.returncode == 2 and "not a memvisor tree" in r.stderr, \
        f"expected exit 2 naming the problem, saw {r.returncode}: {r.stderr}"
