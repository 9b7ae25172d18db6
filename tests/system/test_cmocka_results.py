"""tools/cmocka_results.py, the one reader of the host unit tests' results
(`make unit` and tools/labs grade), on a small cmocka program built here
with ASan as `make unit` builds its programs (no emulator)."""
import importlib.util
import os
import shutil
import subprocess

import pytest
from memvisor import ROOT

TOOL = ROOT / "tools" / "cmocka_results.py"

# Five tests: one passes, one fails, one skips, one reads freed memory
# when ABORT is set (ASan then ends the program), one comes after it.
SOURCE = r"""
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

static void test_passes(void **state) { (void)state; }
static void test_fails(void **state) { (void)state; assert_int_equal(1, 2); }
static void test_skips(void **state) { (void)state; skip(); }
static void test_may_abort(void **state)
{
	(void)state;
	if (getenv("ABORT")) {
		volatile char *p = malloc(4);
		free((void *)p);
		p[0] = 1;
	}
}
static void test_after_the_abort(void **state) { (void)state; }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passes),
		cmocka_unit_test(test_fails),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_may_abort),
		cmocka_unit_test(test_after_the_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
"""


def load_reader():
    spec = importlib.util.spec_from_file_location("cmocka_results", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    if not shutil.which("gcc"):
        pytest.skip("no gcc to build the cmocka program")
    where = tmp_path_factory.mktemp("cmocka")
    (where / "test_sample.c").write_text(SOURCE)
    built = subprocess.run(["gcc", "-g", "-fsanitize=address", str(where / "test_sample.c"), "-o",
                            str(where / "test_sample"), "-lcmocka"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return where / "test_sample"


def run_tool(program, **env):
    return subprocess.run(["/usr/bin/python3", str(TOOL), "--sources", str(program.parent), str(program)],
                          capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=120)


def outcomes(result):
    return {c.name: c.outcome for c in result.cases}


def test_each_test_has_the_outcome_the_xml_gives(program):
    result = load_reader().run_program(program, program.with_suffix(".c"))
    expected = {"test_passes": "ok", "test_fails": "FAIL", "test_skips": "skip", "test_may_abort": "ok",
                "test_after_the_abort": "ok"}
    assert outcomes(result) == expected, f"expected {expected}, seen {outcomes(result)}"
    why = next(c.why for c in result.cases if c.name == "test_fails")
    assert "0x1 != 0x2" in why, f"expected cmocka's message for the failure, seen {why!r}"


def test_an_aborted_program_fails_every_test_it_did_not_pass(program):
    done = run_tool(program, ABORT="1")
    last = done.stdout.strip().splitlines()[-1]
    assert last == "unit: 0 passed, 5 failed", f"expected 'unit: 0 passed, 5 failed', seen {last!r}\n{done.stdout}"
    for name in ("test_passes", "test_may_abort", "test_after_the_abort"):
        assert f"FAIL {name}: no result: test_sample crashed (exit status 1)" in done.stdout, \
            f"expected {name} failed as not run (the program crashed), seen:\n{done.stdout[:3000]}"
    assert "AddressSanitizer" in done.stdout, "expected the sanitizer's report shown"
    assert done.returncode == 1, f"expected exit status 1, seen {done.returncode}"


def test_the_summary_line_counts_passes_and_failures(program):
    done = run_tool(program)
    last = done.stdout.strip().splitlines()[-1]
    assert last == "unit: 3 passed, 1 failed", f"expected 'unit: 3 passed, 1 failed', seen {last!r}\n{done.stdout}"
    assert "test_sample: 3 passed, 1 failed, 1 skipped" in done.stdout, done.stdout
    assert done.returncode == 1, f"expected exit status 1, seen {done.returncode}"


def test_a_leftover_xml_file_is_not_read_as_this_runs_results(program):
    # cmocka never overwrites its XML file: the reader removes it first.
    xml = program.with_name(program.name + ".xml")
    xml.write_text('<testsuites><testsuite><testcase name="test_passes"/></testsuite></testsuites>')
    done = run_tool(program, ABORT="1")
    assert done.stdout.strip().splitlines()[-1] == "unit: 0 passed, 5 failed", done.stdout[-2000:]
