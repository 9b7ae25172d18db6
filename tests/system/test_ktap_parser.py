"""The KTAP parser of memvisor.py on hand-written output (no emulator)."""
import pytest
from memvisor import Boot, assert_ktap_passed, parse_ktap

PASSING = """\
KTAP version 1
1..2
    KTAP version 1
    # Subtest: frames
    1..2
    ok 1 alloc_is_distinct
    ok 2 above_4g # SKIP no RAM above 4 GiB
ok 1 frames
    KTAP version 1
    # Subtest: printf
    1..1
    ok 1 integers
ok 2 printf
memvisor: shutdown status=0 reason=tests-passed"""

FAILING = """\
KTAP version 1
1..1
    KTAP version 1
    # Subtest: paging
    1..2
    ok 1 identity_mapped
    # direct_map_covers_all_ram: expected 0x1000, saw 0x2000
    # at kernel/paging_test.c:42
    not ok 2 direct_map_covers_all_ram
not ok 1 paging"""

CUT_SHORT = """\
KTAP version 1
1..3
    KTAP version 1
    # Subtest: boot
    1..2
    ok 1 names_its_boot_path
ok 1 boot
memvisor: panic: page fault"""


def fake_boot(text):
    lines = ["memvisor: boot=multiboot2/bios cmdline='test=all'"] + text.splitlines()
    return Boot("fake", [], 0, lines, lines, "", "fake.log")


def test_passing_output_counts_tests_and_skips():
    report = parse_ktap(PASSING.splitlines())
    assert report.found and not report.failed and not report.problems
    assert [r.path for r in report.tests] == \
        ["frames.alloc_is_distinct", "frames.above_4g", "printf.integers"]
    assert [r.path for r in report.ran] == ["frames.alloc_is_distinct", "printf.integers"]
    assert [r.path for r in report.results if r.is_suite] == ["frames", "printf"]


def test_failure_names_the_test_with_its_diagnostics():
    with pytest.raises(AssertionError) as failure:
        assert_ktap_passed(fake_boot(FAILING), min_tests=1)
    message = str(failure.value)
    assert "FAILED test paging.direct_map_covers_all_ram" in message
    assert "direct_map_covers_all_ram: expected 0x1000, saw 0x2000" in message
    assert "FAILED suite paging" in message


def test_output_cut_short_is_a_failure():
    with pytest.raises(AssertionError) as failure:
        assert_ktap_passed(fake_boot(CUT_SHORT), min_tests=1)
    assert "planned 1..3 but reported 1" in str(failure.value)


def test_too_few_tests_is_a_failure():
    with pytest.raises(AssertionError) as failure:
        assert_ktap_passed(fake_boot(PASSING), min_tests=3)
    assert "only 2 tests ran" in str(failure.value)


def test_missing_ktap_is_a_failure():
    with pytest.raises(AssertionError) as failure:
        assert_ktap_passed(fake_boot("memvisor: shutdown status=0 reason=idle"))
    assert "no 'KTAP version 1'" in str(failure.value)
