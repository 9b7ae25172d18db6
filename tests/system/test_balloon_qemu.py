"""The balloon under QEMU/SVM: ten inflate/deflate cycles around live data,
shared pages, malformed batches (checks: balloon_checks.py), plus the
monitor's `balloon` command at boot and the balloon options' errors."""
import pytest
from balloon_checks import (BAD_CMDLINE, CYCLES_CMDLINE, SHARED_CMDLINE, BadBalloonScenario, CyclesScenario,
                            SharedScenario)
from conftest import boot
from monitor_checks import output_of

STATUS_BAD_OPTION = 2


@pytest.fixture(scope="module")
def cycles_run():
    return boot("qemu", "iso", "64M", CYCLES_CMDLINE)


@pytest.fixture(scope="module")
def shared_run():
    return boot("qemu", "iso", "64M", SHARED_CMDLINE)


@pytest.fixture(scope="module")
def bad_run():
    return boot("qemu", "iso", "64M", BAD_CMDLINE)


class TestBalloonCyclesSvm(CyclesScenario):
    pass


class TestBalloonSharedSvm(SharedScenario):
    pass


class TestBadBalloonSvm(BadBalloonScenario):
    pass


AT_BOOT = ("balloon workset 1M;balloon hello 100;balloon workset;balloon workset 99M;balloon workset 6K;"
           "balloon nosuch 1;balloon")


@pytest.fixture(scope="module")
def at_boot():
    return boot("qemu", "iso", "64M",
                f'guests=workset:8M:live=256K,hello:4M script="{AT_BOOT}" script_at=boot stats_interval=10')


def test_monitor_sets_a_target_the_driver_reaches(at_boot):
    rows = output_of(at_boot, "balloon workset")
    assert rows[0].startswith("monitor: vm1 balloon: size 0 target 256 cap 1331 pages (65%);"), rows
    at_boot.match(r"^memvisor: \[vm1:workset\] balloon target 256 pages \(1024 KiB\), now 0: set from the monitor$")
    at_boot.match(r"^\[vm1:workset\] balloon: inflated 256 pages in \d+ us \(\d+ pages/s; hypercalls \d+ us\), "
                  r"balloon 256, target 256$")
    at_boot.match(r"^\[vm1:workset\] workset: done: .* mismatches 0; balloon 256 pages, inflated 256,")


def test_monitor_balloon_errors_and_listing(at_boot):
    assert output_of(at_boot, "balloon workset 99M") == \
        ["monitor: error: vm1: 25344 pages is above the balloon's cap of 1331 (balloon_max_pct=65)"]
    assert output_of(at_boot, "balloon workset 6K") == \
        ["monitor: error: usage: balloon VM PAGES|SIZE (4096, 0x1000, or whole pages as 16M)"]
    assert output_of(at_boot, "balloon nosuch 1") == ["monitor: error: no VM 'nosuch' (see vms)"]
    listing = [r for r in output_of(at_boot, "balloon") if r.startswith("monitor: ")]
    assert [r.split()[1] for r in listing] == ["vm1", "vm2"], listing


def test_a_guest_without_a_driver_ignores_its_target(at_boot):
    # hello has no balloon driver (it never polls): its target stays a wish.
    samples = at_boot.find(r"^stats: t=\d+ vm=hello id=2 .* balloon_size=(\d+) balloon_target=(\d+) ")
    assert samples and all(m.groups() == ("0", "100") for m in samples), [m.group(0) for m in samples]
    at_boot.match(r"^memvisor: \[vm2:hello\] finished with status 0$")


@pytest.mark.parametrize("cmdline, message", [
    ("guests=hello:4M balloon=nosuch:1M", r"option 'balloon': no VM 'nosuch' in guests="),
    ("guests=hello:4M balloon=hello:1M:zz", r"option 'balloon': not a target: 'zz'"),
    ("guests=hello:4M balloon=hello:4M", r"option 'balloon': 1024 pages for hello is above its cap of 665 pages "
                                         r"\(balloon_max_pct=65\)"),
    ("guests=hello:4M balloon_max_pct=90", r"option 'balloon_max_pct': "),
])
def test_bad_balloon_options_are_clear_errors(cmdline, message):
    run = boot("qemu", "iso", "64M", cmdline)
    run.match(r"^memvisor: error: " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()
