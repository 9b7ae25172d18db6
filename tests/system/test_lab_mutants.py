"""Every pitfall a lab's handout warns about is a mutant its grader fails.

tests/labs/mutants/LAB/NAME.patch is a small wrong variant of lab LAB's
solution: a unified diff against the tree that changes only lines inside
the lab's exercise regions. Its first line is a comment,
"# CATCHER: the pitfall (the handout and its section)", where CATCHER says
which of the grader's checks fail it: "unit" (the host unit tests: `tools/labs
grade LAB --only unit`), "qemu" (the QEMU system tests too: `--only qemu`),
"bochs" (only the full grade, with the Bochs runs).

For each lab, one copy of the tree (its git files, no build/) is graded as
it is — the solution must score full marks there — and then once per
mutant, the patch applied and taken back in turn, so the unit-test program
is built once and only the patched file recompiled. Taking a patch back
puts back the file and the unit build as they were, times included
(`restore()`), so the next mutant does not recompile the file it left.
A "unit" mutant runs, in this process, only the lab's unit programs that
make relinked for it (`unit_grade()`): the others are the very programs
that scored full marks unpatched, so the lab's grade is full exactly when
those relinked pass every test — and running a program under ASan is most
of a mutant's time. Only the programs the
lab's grade builds are compiled: no kernel, no boot, for "unit" mutants.
Mutants that need an emulator run only with MEMVISOR_SLOW=1 (`make soak`).
docs/labs/README.md ("Mutants") lists them.
"""
import dataclasses
import os
import re
import shutil
import subprocess

import pytest
from memvisor import ROOT
from test_labs import labs

MUTANTS = ROOT / "tests" / "labs" / "mutants"
HEADER = re.compile(r"^# (unit|qemu|bochs): (.+)$")
SCORE = re.compile(r"^lab [a-z-]+: score (\d+)/(\d+) points", re.M)
CATCHER_ONLY = {"unit": "unit", "qemu": "qemu", "bochs": None}


def mutants():
    """(lab name, mutant name, catcher, pitfall, patch path) of every patch."""
    found = []
    for patch in sorted(MUTANTS.glob("*/*.patch")):
        first = patch.read_text().split("\n", 1)[0]
        m = HEADER.match(first)
        found.append((patch.parent.name, patch.stem, m.group(1) if m else None,
                      m.group(2) if m else first, patch))
    return found


def grade(tree, lab, catcher):
    """(earned, possible, output) of `tools/labs grade` in tree; as `make
    grade` does, the kernel is built first when the grade boots it."""
    only = CATCHER_ONLY[catcher]
    if only != "unit":
        built = subprocess.run(["make", "-s", "-j2", "all"], cwd=tree, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=1800)
        assert built.returncode == 0, \
            f"the kernel does not build in {tree}: a mutant must fail the checks, not the build:\n" \
            f"{(built.stdout + built.stderr)[-3000:]}"
    args = [str(tree / "tools" / "labs"), "grade", lab] + (["--only", only] if only else [])
    done = subprocess.run(args, cwd=tree, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=1800)
    out = done.stdout + done.stderr
    score = SCORE.search(out)
    assert score, f"tools/labs grade {lab} printed no score:\n{out[-3000:]}"
    return int(score.group(1)), int(score.group(2)), out


def patch(tree, path, *flags):
    done = subprocess.run(["patch", "-p1", "--no-backup-if-mismatch", "-s", *flags, "-i", str(path)],
                          cwd=tree, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == 0, f"patch {' '.join(flags)} {path.name} failed:\n{done.stdout}{done.stderr}"


def unit_build(tree):
    """The unit programs' build files (objects, dependency files, programs)
    with their contents and times, as the unpatched grade left them."""
    build = tree / "build" / "tests" / "unit"
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in build.rglob("*") if p.is_file()}


def restore(tree, sources, build):
    """The tree as it was before a mutant: its sources copied back from the
    tree they came from (their times with them) and each build file the
    grade rewrote put back, its time too, so that make finds them current."""
    for rel in sources:
        shutil.copy2(ROOT / rel, tree / rel)
    for p, (data, mtime) in build.items():
        if not p.exists() or p.stat().st_mtime_ns != mtime:
            p.write_bytes(data)
            os.utime(p, ns=(mtime, mtime))


def unit_grade(tree, lab, build):
    """(failed checks, relinked programs, output) of the lab's unit checks
    with the mutant in place: make rebuilds what the patch touched, and only
    the programs it relinked are run (labs.grade_unit())."""
    the_lab = labs.BY_NAME[lab]
    programs = [tree / "build" / "tests" / "unit" / u for u in the_lab.unit]
    made = subprocess.run(["make", "-s", "-C", str(tree), *(str(p.relative_to(tree)) for p in programs)],
                          stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    if made.returncode:
        return None, [], made.stdout + made.stderr
    relinked = [u for u, p in zip(the_lab.unit, programs) if p.stat().st_mtime_ns != build[p][1]]
    results, crashes = labs.grade_unit(tree, dataclasses.replace(the_lab, unit=relinked))
    failed = [f"{r.name}: {r.why}" for r in results if r.outcome == "FAIL"]
    return failed, relinked, "\n".join(failed + crashes)


def changed_files(path):
    return sorted({line[len("+++ b/"):].split("\t")[0] for line in path.read_text().splitlines()
                   if line.startswith("+++ b/")})


def outside_regions(tree, rel, number):
    """The lines of file rel outside lab `number`'s region bodies, and the count of those regions."""
    lines = (tree / rel).read_text().split("\n")
    regions = [r for r in labs.regions_of(tree / rel, rel) if r.lab == number]
    kept, at = [], 0
    for r in regions:
        kept += lines[at:r.body]
        at = r.end
    return kept + lines[at:], len(regions)


ALL = mutants()
SLOW = bool(os.environ.get("MEMVISOR_SLOW"))


def test_every_mutant_names_its_pitfall_and_catcher():
    assert ALL, f"no mutant in {MUTANTS}"
    for lab, name, catcher, pitfall, path in ALL:
        assert lab in labs.BY_NAME, f"{path}: no lab '{lab}' (tools/labs list)"
        assert catcher, f"{path}: the first line must be '# unit|qemu|bochs: the pitfall (handout, section)', " \
                        f"saw {pitfall!r}"
        assert labs.BY_NAME[lab].handout in pitfall, \
            f"{path}: the header names no section of {labs.BY_NAME[lab].handout}: {pitfall!r}"


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """One copy of the tree per lab, made when the lab is first asked for,
    with its unpatched grade (earned, possible, output) and its unit build
    as that grade left it (unit_build()) beside it."""
    made = {}

    def tree_of(lab, catcher):
        key = (lab, CATCHER_ONLY[catcher])
        if key not in made:
            tree = tmp_path_factory.mktemp(f"mutants-{lab}")
            for rel in labs.tree_files(ROOT):
                (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, tree / rel)
            graded = grade(tree, lab, catcher)
            made[key] = tree, graded, unit_build(tree)
        return made[key]
    return tree_of


def run_mutant(trees, lab, name, catcher, pitfall, path):
    tree, (earned, possible, out), build = trees(lab, catcher)
    assert earned == possible, \
        f"the solution itself must score full marks before mutant {lab}/{name} means anything; " \
        f"expected {possible}/{possible}, saw {earned}/{possible}:\n{out[-3000:]}"
    number = labs.BY_NAME[lab].number
    before = {rel: outside_regions(tree, rel, number) for rel in changed_files(path)}
    assert before, f"{path} changes no file"
    patch(tree, path)
    try:
        for rel, (kept, count) in before.items():
            after_kept, after_count = outside_regions(tree, rel, number)
            assert count and (after_kept, after_count) == (kept, count), \
                f"mutant {lab}/{name} changes {rel} outside lab {lab}'s regions (or has none there)"
        if catcher == "unit":
            failed, relinked, out = unit_grade(tree, lab, build)
        else:
            got, most, out = grade(tree, lab, catcher)
    finally:
        restore(tree, before, build)
    if catcher == "unit":
        assert failed is not None, \
            f"mutant {lab}/{name} does not compile: it must fail the checks, not the build:\n{out[-3000:]}"
        assert relinked, f"mutant {lab}/{name} changes no unit program of lab {lab}"
        assert failed, \
            f"mutant {lab}/{name} ({pitfall}): expected a failing check in {', '.join(relinked)} (the lab's " \
            f"grade not full), seen every check pass"
        print(f"mutant {lab}/{name}: {len(failed)} checks of {', '.join(relinked)} fail; first: {failed[0][:200]}")
        return
    assert "does not compile" not in out, \
        f"mutant {lab}/{name} does not compile: it must fail the checks, not the build:\n{out[-3000:]}"
    failed = [line.strip() for line in out.splitlines() if line.startswith("  FAIL")]
    assert got < most, \
        f"mutant {lab}/{name} ({pitfall}) graded with {CATCHER_ONLY[catcher] or 'everything'}: " \
        f"expected < {most}/{most}, seen {got}/{most}"
    print(f"mutant {lab}/{name}: {got}/{most}; first failed check: {failed[0][:200] if failed else '-'}")


FAST = [m for m in ALL if m[2] == "unit"]
EMULATED = [m for m in ALL if m[2] in ("qemu", "bochs")]


@pytest.mark.parametrize("lab,name,catcher,pitfall,path", FAST, ids=[f"{m[0]}/{m[1]}" for m in FAST])
def test_unit_checks_fail_the_mutant(trees, lab, name, catcher, pitfall, path):
    run_mutant(trees, lab, name, catcher, pitfall, path)


@pytest.mark.parametrize("lab,name,catcher,pitfall,path", EMULATED, ids=[f"{m[0]}/{m[1]}" for m in EMULATED])
def test_system_checks_fail_the_mutant(trees, lab, name, catcher, pitfall, path):
    if not SLOW:
        pytest.skip("a mutant only an emulator sees runs in `make soak` (MEMVISOR_SLOW=1)")
    run_mutant(trees, lab, name, catcher, pitfall, path)
