"""A lab skeleton as a student gets it (`make skeleton`, docs/labs/README.md):
written outside the tree, never over someone's work without FORCE=1, built
and cleaned there without losing the student's files, and `make handin`
packing a patch that turns a fresh skeleton into the student's tree (no
boot: the skeleton's build and boot are tests/system/test_labs.py's)."""
import tarfile
from pathlib import Path

import pytest
from memvisor import ROOT
from test_labs import labs, run

LAB = "policy"
# One line inside exercise 6.1's region, as a student would write it.
STUDENT_FILE = "vmm/policy/mem_state.c"


def make(*args, cwd=ROOT, timeout=300):
    return run("make", "--no-print-directory", *args, cwd=cwd, timeout=timeout)


@pytest.fixture
def skeleton(tmp_path):
    if any(not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is a lab skeleton: skeletons are made from the full tree")
    out = tmp_path / f"memvisor-lab-{LAB}"
    done = make("skeleton", f"LAB={LAB}", f"DIR={out}")
    assert done.returncode == 0, f"make skeleton failed:\n{done.stdout}{done.stderr}"
    assert f"is in {out}" in done.stdout, f"expected the skeleton's place named, saw:\n{done.stdout}"
    return out


def student_edit(tree):
    path = tree / STUDENT_FILE
    text = path.read_text()
    marker = "\t/* LAB 6.1 end */\n"
    assert marker in text, f"{STUDENT_FILE} has no open region 6.1"
    path.write_text(text.replace(marker, "\t/* my first line */\n" + marker))
    return path.read_bytes()


def test_the_default_place_is_beside_the_tree():
    assert labs.default_skeleton_dir(Path("/a/b/memvisor"), "zswap") == Path("/a/b/memvisor-lab-zswap")


def test_a_directory_with_files_is_not_overwritten_without_force(skeleton):
    mine = student_edit(skeleton)
    done = make("skeleton", f"LAB={LAB}", f"DIR={skeleton}")
    assert done.returncode != 0, f"expected a refusal, saw status 0:\n{done.stdout}"
    assert "exists and is not empty" in done.stderr and "FORCE=1" in done.stderr, done.stderr
    assert (skeleton / STUDENT_FILE).read_bytes() == mine, "the refusal changed the student's file"
    done = make("skeleton", f"LAB={LAB}", f"DIR={skeleton}", "FORCE=1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert b"my first line" not in (skeleton / STUDENT_FILE).read_bytes(), "FORCE=1 did not rewrite it"


@pytest.mark.parametrize("where", ["tree", "parent"])
def test_the_tree_itself_or_a_folder_holding_it_is_refused_even_with_force(tmp_path, where):
    # On a stand-in tree: a failed refusal would remove only tmp_path.
    tree = tmp_path / "parent" / "tree"
    (tree / "vmm").mkdir(parents=True)
    (tree / "vmm" / "x.c").write_text("int x;\n")
    with pytest.raises(labs.LabError, match="holds this tree"):
        labs.make_skeleton(tree, labs.LABS, tmp_path / "parent" / ("tree" if where == "tree" else ""), force=True)
    assert (tree / "vmm" / "x.c").read_text() == "int x;\n", "the tree was touched"


def test_the_skeleton_builds_and_make_clean_keeps_the_student_s_work(skeleton):
    mine = student_edit(skeleton)
    (skeleton / f"answers-{LAB}.md").write_text("1. Hysteresis keeps a VM from flapping.\n")
    built = make("build/tests/unit/test_mem_state", cwd=skeleton, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert (skeleton / "build" / "tests" / "unit" / "test_mem_state").is_file()
    cleaned = make("clean", cwd=skeleton)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not (skeleton / "build").exists(), "make clean left build/"
    assert (skeleton / STUDENT_FILE).read_bytes() == mine, "make clean changed the student's file"
    assert (skeleton / f"answers-{LAB}.md").is_file(), "make clean removed the answers"


def test_handin_packs_a_patch_that_reproduces_the_change(skeleton, tmp_path):
    mine = student_edit(skeleton)
    (skeleton / "vmm" / "policy" / "notes.txt").write_text("a new file\n")
    (skeleton / f"answers-{LAB}.md").write_text("1. my answer\n")
    done = make("handin", cwd=skeleton)
    assert done.returncode == 0, done.stdout + done.stderr
    archive = skeleton / f"handin-{LAB}.tar.gz"
    assert f"written to {archive}" in done.stdout, f"expected the archive's place named, saw:\n{done.stdout}"
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == [f"answers-{LAB}.md", f"lab-{LAB}.patch"], tar.getnames()
        tar.extractall(tmp_path / "handin")
    assert (tmp_path / "handin" / f"answers-{LAB}.md").read_text() == "1. my answer\n"
    fresh = tmp_path / "fresh"
    made = run(ROOT / "tools" / "labs", "skeleton", LAB, fresh)
    assert made.returncode == 0, made.stderr
    applied = run("git", "apply", tmp_path / "handin" / f"lab-{LAB}.patch", cwd=fresh)
    assert applied.returncode == 0, f"the patch does not apply to a fresh skeleton:\n{applied.stderr}"
    assert (fresh / STUDENT_FILE).read_bytes() == mine, "the patched fresh skeleton differs from the student's"
    assert (fresh / "vmm" / "policy" / "notes.txt").read_text() == "a new file\n"
    changed = run("git", "status", "--porcelain", cwd=fresh).stdout.split("\n")
    assert sorted(l for l in changed if l) == [" M " + STUDENT_FILE, "?? vmm/policy/notes.txt"], changed


def test_handin_outside_a_skeleton_is_a_clear_error():
    done = run(ROOT / "tools" / "labs", "handin")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is not a lab skeleton" in done.stderr, done.stderr
