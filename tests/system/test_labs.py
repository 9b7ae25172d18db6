"""The labs (tools/labs, docs/labs/): exercise regions, skeletons, grading.

The marker parser is checked on small hand-written trees. Then the skeleton
with every lab's regions open is built like a student would build it: it
compiles warning-free, none of the solution is left in it, it boots and
names the first missing exercise, and grading there fails where grading
the full tree passes.
"""
import importlib.machinery
import importlib.util
import re
import subprocess

import pytest
from memvisor import ROOT

LABS_TOOL = ROOT / "tools" / "labs"


def load_labs():
    loader = importlib.machinery.SourceFileLoader("labs_tool", str(LABS_TOOL))
    spec = importlib.util.spec_from_loader("labs_tool", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


labs = load_labs()


def run(*args, cwd=ROOT, timeout=300):
    return subprocess.run(list(map(str, args)), cwd=cwd, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def solved_regions():
    return [r for r in labs.all_regions(ROOT) if r.solved]


# ---------------------------------------------------------------- the full tree

def test_the_full_tree_holds_every_solution():
    if any(not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is a lab skeleton: its open regions are the student's")
    done = run(LABS_TOOL, "check", "--solution")
    assert done.returncode == 0, done.stderr
    assert "all well formed" in done.stdout


def test_every_lab_has_regions_a_handout_and_checks():
    regions = labs.all_regions(ROOT)
    for lab in labs.LABS:
        mine = [r for r in regions if r.lab == lab.number]
        assert mine, f"lab {lab.name} has no exercise region"
        assert (ROOT / lab.handout).is_file(), f"lab {lab.name}: no {lab.handout}"
        assert lab.qemu, f"lab {lab.name} has no system test under QEMU"
        handout = (ROOT / lab.handout).read_text()
        for r in mine:
            assert f"Exercise {r.label}" in handout, \
                f"{lab.handout} does not describe exercise {r.label} ({r.where()})"


def test_the_handouts_index_lists_every_lab():
    index = (ROOT / "docs" / "labs" / "README.md").read_text()
    for lab in labs.LABS:
        assert lab.handout.split("/")[-1] in index, f"docs/labs/README.md does not link {lab.handout}"


# ---------------------------------------------------------------- the parser

def tree(tmp_path, text):
    (tmp_path / "vmm").mkdir()
    (tmp_path / "vmm" / "x.c").write_text(text)
    return tmp_path


GOOD = """int f(int a)
{
\t/* LAB 3.1 sharing: return twice a,
\t * as a number. */
\treturn 2 * a;
\t/* LAB 3.1 end. The skeleton has instead:
\t *\t(void)a;
\t *\treturn LAB_TODO("sharing", "f");
\t */
}
"""


def test_a_region_is_found_with_its_skeleton_lines(tmp_path):
    [r] = labs.all_regions(tree(tmp_path, GOOD))
    assert (r.lab, r.exercise, r.name, r.solved) == (3, 1, "sharing", True)
    assert (r.first, r.body, r.end, r.last) == (2, 4, 5, 8)
    assert r.skeleton == ["\t(void)a;", '\treturn LAB_TODO("sharing", "f");']


def test_the_skeleton_text_replaces_only_the_solution(tmp_path):
    root = tree(tmp_path, GOOD)
    lines = GOOD.split("\n")
    out = labs.skeleton_text(lines, labs.all_regions(root))
    assert out == lines[:4] + ["\t(void)a;", '\treturn LAB_TODO("sharing", "f");',
                               "\t/* LAB 3.1 end */"] + lines[9:]
    # The skeleton parses as one open region of the same exercise.
    (root / "vmm" / "x.c").write_text("\n".join(out))
    [r] = labs.all_regions(root)
    assert (r.label, r.solved, r.skeleton) == ("3.1", False, [])


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("\t/* LAB 3.1 end. The skeleton has instead:\n", "\t/* LAB 3.2 end. The skeleton has instead:\n"),
     "expected the end of LAB 3.1"),
    (GOOD.replace("\t/* LAB 3.1 end. The skeleton has instead:\n", "\t/* LAB 3.1 finished */\n"),
     "expected the end of LAB 3.1"),
    ("\n".join(GOOD.split("\n")[:5]) + "\n}\n", "has no end marker"),
    (GOOD.replace("\t *\t(void)a;\n", "\t * (void)a;\n"), "a skeleton line is"),
    (GOOD.replace("\t *\t(void)a;\n\t *\treturn LAB_TODO(\"sharing\", \"f\");\n", ""),
     "no skeleton lines"),
    (GOOD.replace("/* LAB 3.1 sharing:", "/* LAB 3.1 sharing"), "where a region should begin"),
])
def test_a_malformed_region_is_named_with_its_line(tmp_path, text, message):
    with pytest.raises(labs.LabError, match=message) as e:
        labs.all_regions(tree(tmp_path, text))
    assert re.match(r"vmm/x\.c:\d+: ", str(e.value)), str(e.value)


def test_check_names_a_wrong_lab_name_and_a_missing_lab(tmp_path):
    problems = labs.check(tree(tmp_path, GOOD.replace("3.1 sharing", "3.1 balloon")), solution=True)
    assert any("LAB 3.1 says 'balloon', lab 3 is 'sharing'" in p for p in problems), problems
    assert any("lab policy: no exercise region" in p for p in problems), problems


def test_an_unknown_lab_is_a_clear_error():
    done = run(LABS_TOOL, "grade", "nope")
    assert done.returncode == 2
    assert "tools/labs: error: no lab 'nope': the labs are virt-on, demand-paging" in done.stderr


# ---------------------------------------------------------------- a student's tree

@pytest.fixture(scope="module")
def skeleton(tmp_path_factory):
    """Every lab's skeleton at once, built (images and one unit program)."""
    if any(not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is a lab skeleton: skeletons are made from the full tree")
    out = tmp_path_factory.mktemp("labs") / "skeleton-all"
    done = run(LABS_TOOL, "skeleton", "all", out)
    assert done.returncode == 0, done.stderr
    built = run("make", "-j2", "all", "build/tests/unit/test_mem_state", cwd=out, timeout=600)
    assert built.returncode == 0, f"the skeleton does not build:\n{built.stdout[-3000:]}{built.stderr[-3000:]}"
    return out


def test_the_skeleton_builds_without_warnings(skeleton):
    # -Werror is on: the build fixture would have failed on one. The images are there.
    for image in ("memvisor.iso", "memvisor.efi", "memvisor.elf"):
        assert (skeleton / "build" / image).is_file(), f"the skeleton build made no {image}"


def test_the_skeleton_has_no_solution_line_left(skeleton):
    for r in solved_regions():
        lines = (ROOT / r.path).read_text().split("\n")
        solution = {l.strip() for l in lines[r.body:r.end]} - {s.strip() for s in r.skeleton} - {""}
        kept = (skeleton / r.path).read_text().split("\n")
        begin = next(i for i, l in enumerate(kept) if f"/* LAB {r.label} {r.name}:" in l)
        end = next(i for i, l in enumerate(kept) if f"/* LAB {r.label} end */" in l)
        left = [l.strip() for l in kept[begin:end] if l.strip() in solution]
        assert not left, f"{r.path}: LAB {r.label}'s skeleton still holds solution lines: {left}"
        assert [l for l in kept[end - len(r.skeleton):end]] == r.skeleton, \
            f"{r.path}: LAB {r.label}'s skeleton lines are not before its end marker"


def test_the_skeleton_leaves_other_files_alone(skeleton):
    touched = {r.path for r in solved_regions()}
    for rel in ("vmm/vmm.c", "kernel/main.c", "guest/twins/main.c", "Makefile", "tools/run"):
        if rel not in touched and (ROOT / rel).exists():
            assert (skeleton / rel).read_bytes() == (ROOT / rel).read_bytes(), f"{rel} differs"
    assert (skeleton / "tools" / "run").stat().st_mode & 0o111, "tools/run lost its execute bit"


def test_the_skeleton_boots_and_names_the_missing_exercise(skeleton):
    done = run(skeleton / "tools" / "run", "--emu", "qemu", "--cmdline", "guests=hello:4M",
               "--timeout", "60", "--quiet", "--log", skeleton / "boot.log", cwd=skeleton)
    log = (skeleton / "boot.log").read_text(errors="replace")
    assert re.search(r"^memvisor: lab virt-on: not written yet: svm_enable", log, re.MULTILINE), log[-2000:]
    assert done.returncode == 7, f"expected status 7 (no virtualisation), seen {done.returncode}"


def test_grading_the_skeleton_fails_and_names_the_checks(skeleton):
    done = run(skeleton / "tools" / "labs", "grade", "policy", "--only", "unit", cwd=skeleton)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "lab policy: not written yet: mem_state_next" in done.stdout + done.stderr
    score = re.search(r"^lab policy: score (\d+)/(\d+) points \((\d+)/(\d+) checks passed\) \(unit checks only\)$",
                      done.stdout, re.M)
    assert score, done.stdout[-2000:]
    passed, counted = int(score.group(3)), int(score.group(4))
    assert counted >= 3 and passed < counted, score.group(0)
    assert re.search(r"^  FAIL +0/1 +unit +test_mem_state: \w+", done.stdout, re.M), done.stdout[-2000:]


def test_grading_the_full_tree_passes():
    if any(r.name == "policy" and not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is lab policy's skeleton")
    done = run(LABS_TOOL, "grade", "policy", "--only", "unit")
    assert done.returncode == 0, done.stdout[-2000:]
    score = re.search(r"^lab policy: score (\d+)/(\d+) points", done.stdout, re.M)
    assert score and score.group(1) == score.group(2), done.stdout[-2000:]
