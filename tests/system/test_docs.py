"""tools/check-docs: the tree's documents hold, and each kind of wrong
reference in a copy of the tree is reported with its file and line (no
boot)."""
import shutil
import subprocess
import sys

import pytest
from memvisor import ROOT

CHECK = ROOT / "tools" / "check-docs"


def check(root):
    return subprocess.run([sys.executable, str(CHECK), "--root", str(root)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path):
    """A copy of the tree: its documents and everything they refer to."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("build", ".git", "__pycache__", ".pytest_cache"))
    return copy


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_the_tree_s_documents_refer_only_to_what_the_tree_holds():
    done = check(ROOT)
    assert done.returncode == 0, f"expected no problems, saw:\n{done.stdout}{done.stderr}"
    assert done.stdout.strip().endswith(", 0 problems"), done.stdout


@pytest.mark.parametrize("line, expected", [
    ("See [it](no-such-file.md).", "link to a file that does not exist: no-such-file.md"),
    ("See [it](design.md#no-such-heading).", "link to a heading that does not exist: design.md#no-such-heading"),
    ("Read `vmm/mm/no_such_file.c`.", "names a file that does not exist: vmm/mm/no_such_file.c"),
    ("Call `no_such_function()`.", "names a function the sources do not have: no_such_function()"),
    ("As " + "DESIGN" + ".md says.", "refers to a document outside the tree"),
    ("As the " + "seeds say.", "refers to a document outside the tree"),
])
def test_a_wrong_reference_in_a_document_is_reported_where_it_is(tree, line, expected):
    doc = tree / "docs" / "background.md"
    lines = doc.read_text(encoding="utf-8").count("\n")
    append(doc, line + "\n")
    done = check(tree)
    where = f"docs/background.md:{lines + 1}: "
    assert done.returncode == 1, f"expected exit status 1, saw {done.returncode}:\n{done.stdout}"
    assert where + expected in done.stdout, f"expected a line '{where}{expected}', saw:\n{done.stdout}"
    assert done.stdout.strip().endswith(", 1 problems"), f"expected exactly one problem, saw:\n{done.stdout}"


def test_a_comment_pointing_outside_the_tree_is_reported(tree):
    header = tree / "vmm" / "vm.h"
    lines = header.read_text(encoding="utf-8").count("\n")
    append(header, "/* see " + "seeds" + "/notes.txt */\n")
    done = check(tree)
    expected = f"vmm/vm.h:{lines + 1}: refers to a document outside the tree"
    assert done.returncode == 1 and expected in done.stdout, f"expected '{expected}', saw:\n{done.stdout}"


def test_the_source_texts_named_in_a_lab_s_file_are_reported(tree):
    # What a student reads: a file with an exercise region. The same words
    # elsewhere (the fuzzers' starting inputs) are not a reference.
    share = tree / "vmm" / "share" / "share.c"
    assert "/* LAB 3.1 " in share.read_text(encoding="utf-8"), "vmm/share/share.c lost its lab region"
    lines = share.read_text(encoding="utf-8").count("\n")
    append(share, "/* as in the " + "seeds */\n")
    append(tree / "tests" / "fuzz" / "seeds.c", "/* the " + "seeds are written here */\n")
    done = check(tree)
    expected = f"vmm/share/share.c:{lines + 1}: refers to a document outside the tree"
    assert done.returncode == 1 and expected in done.stdout, f"expected '{expected}', saw:\n{done.stdout}"
    assert done.stdout.strip().endswith(", 1 problems"), f"expected exactly one problem, saw:\n{done.stdout}"


def test_a_root_that_is_not_a_directory_is_a_usage_error(tmp_path):
    done = check(tmp_path / "missing")
    assert done.returncode == 2, f"expected exit status 2, saw {done.returncode}"
    assert "not a directory" in done.stderr, done.stderr
