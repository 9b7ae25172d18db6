"""The labs' scores (tools/labs grade, docs/labs/README.md "Grading"): points
per check, safety checks that earn nothing while the lab's code does
nothing, and unit tests whose program crashed counted as failed and named.

A small tree with one cmocka program stands in for a lab's unit tests where
a crash is needed; the real labs' skeletons are graded as a student would
grade them (host unit tests only: no boot).
"""
import re
import shutil
import textwrap

import pytest
from memvisor import ROOT
from test_labs import LABS_TOOL, labs, run

FAKE = textwrap.dedent("""\
    #include <setjmp.h>
    #include <stdarg.h>
    #include <stddef.h>
    #include <stdint.h>
    #include <stdlib.h>
    #include <cmocka.h>

    static void test_passes(void **state) { (void)state; assert_int_equal(1, 1); }
    static void test_fails(void **state) { (void)state; assert_int_equal(2 + 2, 5); }
    static void test_crashes(void **state)
    {
    	(void)state;
    	CRASH;
    }
    static void test_never_reached(void **state) { (void)state; }

    int main(void)
    {
    	const struct CMUnitTest tests[] = {
    		cmocka_unit_test(test_passes),
    		cmocka_unit_test(test_fails),
    		cmocka_unit_test(test_crashes),
    		cmocka_unit_test(test_never_reached),
    	};
    	return cmocka_run_group_tests(tests, NULL, NULL);
    }
    """)

CRASHES = {
    # lab_missing() in a skeleton aborts; cmocka does not catch SIGABRT.
    "abort": ("abort()", "", "crashed (signal 6, SIGABRT)"),
    # A sanitizer report ends the program with status 1, before cmocka writes its XML.
    "asan": ("volatile char *p = malloc(8); free((void *)p); p[0] = 1", "-fsanitize=address",
             "crashed (exit status 1)"),
}
FAKE_LAB = labs.Lab(9, "fake", "A fake lab", "docs/labs/9-fake.md", unit=["test_fake"])


def fake_tree(tmp_path, crash, cflags):
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_fake.c").write_text(FAKE.replace("CRASH", crash))
    (tmp_path / "Makefile").write_text(
        "build/tests/unit/test_fake: tests/unit/test_fake.c\n"
        f"\tmkdir -p build/tests/unit && cc -g -O0 {cflags} $< -o $@ -lcmocka\n")
    return tmp_path


@pytest.mark.parametrize("how", sorted(CRASHES))
def test_a_crashed_program_s_tests_count_as_failed_and_are_named(tmp_path, capsys, how):
    crash, cflags, ended = CRASHES[how]
    status = labs.grade(fake_tree(tmp_path, crash, cflags), FAKE_LAB, "unit")
    out = capsys.readouterr().out
    assert status == 1, f"expected exit status 1, saw {status}:\n{out}"
    expected = f"4 checks did not run: test_fake {ended} (counted as failed)"
    assert expected in out, f"expected the line '{expected}', saw:\n{out}"
    score = re.search(r"^lab fake: score (\d+)/(\d+) points \((\d+)/(\d+) checks passed\)", out, re.M)
    assert score and score.groups() == ("0", "4", "0", "4"), \
        f"expected 'score 0/4 points (0/4 checks passed)', saw:\n{out}"
    for name in ("test_passes", "test_fails", "test_crashes", "test_never_reached"):
        line = re.search(rf"^  FAIL +0/1 +unit +test_fake: {name}  -- (.*)$", out, re.M)
        assert line, f"expected a FAIL line for {name}, saw:\n{out}"
        assert f"no result: test_fake {ended}" in line.group(1), line.group(0)


def test_a_failed_unit_check_s_line_carries_the_assertion(tmp_path, capsys):
    # No crash: cmocka writes its XML, and the failed test's line says why and where.
    status = labs.grade(fake_tree(tmp_path, "", ""), FAKE_LAB, "unit")
    out = capsys.readouterr().out
    assert status == 1, out
    line = re.search(r"^  FAIL +0/1 +unit +test_fake: test_fails  -- (.*)$", out, re.M)
    assert line, f"expected a FAIL line for test_fails, saw:\n{out}"
    assert re.fullmatch(r"0x4 != 0x5 \(tests/unit/test_fake\.c:\d+\)", line.group(1)), \
        f"expected '0x4 != 0x5 (tests/unit/test_fake.c:LINE)', saw {line.group(1)!r}"
    assert "did not run" not in out, out
    assert re.search(r"^lab fake: score 3/4 points \(3/4 checks passed\)", out, re.M), out


def results(*spec):
    return [labs.Result(kind, name, outcome) for kind, name, outcome in spec]


def test_safety_checks_earn_nothing_until_a_functional_check_passes():
    lab = labs.Lab(9, "fake", "A fake lab", "x.md", safety=["test_u: test_refuses", "test_s::*::test_holds"])
    nothing = results(("unit", "test_u: test_refuses", "ok"), ("unit", "test_u: test_works", "FAIL"),
                      ("system", "test_s::T::test_holds[qemu]", "ok"), ("system", "test_s::T::test_x[qemu]", "skip"))
    labs.score(lab, nothing)
    seen = [(r.earned, r.possible) for r in nothing]
    assert seen == [(0, 1), (0, 1), (0, 2), (0, 0)], f"expected nothing earned, saw {seen}"
    working = results(("unit", "test_u: test_refuses", "ok"), ("unit", "test_u: test_works", "ok"),
                      ("system", "test_s::T::test_holds[qemu]", "ok"))
    labs.score(lab, working)
    seen = [(r.earned, r.possible) for r in working]
    assert seen == [(1, 1), (1, 1), (2, 2)], f"expected every point earned, saw {seen}"


def test_every_safety_pattern_names_a_check_of_its_lab():
    # A renamed test would otherwise turn a safety check into a functional one unseen.
    for lab in labs.LABS:
        names = [f"{u}: {n}" for u in lab.unit for n in labs.cmocka_results.listed_tests(
            ROOT / "tests" / "unit" / f"{u}.c")]
        nodeids = labs.collect(ROOT, sorted({c.path for c in lab.qemu + lab.bochs}))
        names += [n.removeprefix("tests/system/").replace(".py::", "::", 1).split("[")[0] for n in nodeids]
        for pattern in lab.safety:
            assert any(labs.fnmatch.fnmatchcase(n, pattern) for n in names), \
                f"lab {lab.name}: safety pattern {pattern!r} matches none of its checks"


@pytest.mark.parametrize("name", [lab.name for lab in labs.LABS if lab.unit_tests_its_code()])
def test_a_fresh_skeleton_scores_0(tmp_path_factory, name):
    if any(not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is a lab skeleton: skeletons are made from the full tree")
    out = tmp_path_factory.mktemp("grade") / f"memvisor-lab-{name}"
    made = run(LABS_TOOL, "skeleton", name, out)
    assert made.returncode == 0, made.stderr
    done = run(out / "tools" / "labs", "grade", "--only", "unit", cwd=out, timeout=600)
    score = re.search(rf"^lab {name}: score (\d+)/(\d+) points", done.stdout, re.M)
    assert score, done.stdout[-3000:]
    assert score.group(1) == "0" and int(score.group(2)) > 0, \
        f"expected a fresh skeleton to score 0/N, saw {score.group(0)!r}:\n{done.stdout[-3000:]}"
    assert done.returncode == 1, done.returncode


@pytest.mark.parametrize("name", [lab.name for lab in labs.LABS if lab.unit_tests_its_code()])
def test_the_full_tree_scores_full_on_its_unit_checks(name):
    if any(r.name == name and not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip(f"this tree is lab {name}'s skeleton")
    done = run(LABS_TOOL, "grade", name, "--only", "unit", timeout=600)
    score = re.search(rf"^lab {name}: score (\d+)/(\d+) points", done.stdout, re.M)
    assert score and score.group(1) == score.group(2) and score.group(2) != "0", \
        f"expected full points, saw {score and score.group(0)!r}:\n{done.stdout[-3000:]}"
    assert done.returncode == 0, done.stdout[-3000:]


def test_unit_checks_that_test_no_exercise_are_refused_alone():
    # Every lab's unit checks now grade one of its exercises; a lab whose
    # unit programs check only the code it builds on (all safety checks)
    # would score nothing but safety with ONLY=unit, and is refused.
    lab = labs.Lab(0, "tools-only", "unit checks of tools alone", "docs/labs/0-tools.md",
                   unit=["test_pmap"], safety=["test_pmap: *"])
    assert not lab.unit_tests_its_code()
    with pytest.raises(labs.LabError, match="none of its exercises: grade it with ONLY=qemu"):
        labs.grade(ROOT, lab, "unit")


def test_the_index_s_example_score_is_a_real_lab_s_total():
    index = (ROOT / "docs" / "labs" / "README.md").read_text()
    example = re.search(r"^lab ([\w-]+): score (\d+)/(\d+) points \((\d+)/(\d+) checks passed\)$", index, re.M)
    assert example, "docs/labs/README.md shows no example score line"
    name, points, passed, checks = example.group(1), *map(int, example.groups()[2:])
    expected = labs.possible(ROOT, labs.BY_NAME[name])
    assert (checks, points) == expected, \
        f"the example says {checks} checks and {points} points for lab {name}; it has {expected}"
    failed = index.count("\n  FAIL ")
    assert passed == checks - failed, f"the example shows {failed} failures but {passed}/{checks} passed"


@pytest.mark.qemu
def test_a_fresh_skeleton_scores_0_with_its_qemu_checks(tmp_path):
    # The system checks too: those that pass while nothing is written are
    # the lab's safety checks, and earn nothing on their own.
    if any(not r.solved for r in labs.all_regions(ROOT)):
        pytest.skip("this tree is a lab skeleton: skeletons are made from the full tree")
    out = tmp_path / "memvisor-lab-policy"
    made = run(LABS_TOOL, "skeleton", "policy", out)
    assert made.returncode == 0, made.stderr
    built = run("make", "-j2", "all", cwd=out, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    done = run(out / "tools" / "labs", "grade", "--only", "qemu", cwd=out, timeout=900)
    score = re.search(r"^lab policy: score (\d+)/(\d+) points \((\d+)/(\d+) checks passed\)", done.stdout, re.M)
    assert score, done.stdout[-3000:]
    assert score.group(1) == "0" and score.group(3) != "0", \
        f"expected 0 points with some safety checks passing, saw {score.group(0)!r}:\n{done.stdout[-4000:]}"
    assert "safety check: counts once a functional check passes" in done.stdout, done.stdout[-3000:]


def test_grading_says_which_questions_the_answers_file_answers(tmp_path):
    """`make grade` ends with a line on answers-NAME.md: the handout's
    questions it answers, and which it does not (read by a person, not scored)."""
    lab = labs.BY_NAME["sharing"]
    (tmp_path / lab.handout).parent.mkdir(parents=True)
    shutil.copy(ROOT / lab.handout, tmp_path / lab.handout)
    questions = labs.handout_questions(tmp_path, lab)
    assert questions == [1, 2, 3, 4, 5], f"expected the sharing handout's questions 1-5, seen {questions}"
    said = labs.answers_report(tmp_path, lab)
    assert said.startswith("answers: no answers-sharing.md at the tree's root"), f"seen {said!r}"
    (tmp_path / "answers-sharing.md").write_text("# Lab 3\n\n1. The PMAP first.\n\n## 3\n\nStale.\n\n"
                                                 "Question 4: a timing channel.\n2 is not an answer line\n")
    said = labs.answers_report(tmp_path, lab)
    want = "answers: answers-sharing.md answers 3 of the handout's 5 questions (read by a person, not scored); " \
           "not found: 2, 5"
    assert said == want, f"expected {want!r}, seen {said!r}"
