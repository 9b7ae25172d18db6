"""Transparent page sharing under QEMU TCG (AMD SVM + NPT): four twins VMs
sharing, salts and share=off, a stress run with the invariant checker after
every merge and break, and the errors of salt= and share=. The checks are in
sharing_checks.py, shared with the Bochs/VMX module."""
import re

import pytest
from conftest import boot
from monitor_checks import output_of
from sharing_checks import SALT_SCRIPT, SaltScenario, SharingScenario, twins_cmdline

STATUS_BAD_OPTION = 2
# Each VM scanned once in 200 ms; the machine's rate high enough not to be
# the limit (share_scan_ghz is per GHz of QEMU's TSC); 30% of the CPU for
# the scanner, so that a busy host (two test workers) still finishes a
# scan period well within the guests' wait.
RATES = "share_scan_time=200 share_rate_max=100000 share_scan_ghz=1000 share_cpu_pct=30 stats_interval=50"


@pytest.fixture(scope="module")
def sharing():
    # wait=: the VMs finish filling up to ~0.6 s apart on a busy host; the
    # first to write must still find the last one scanned.
    return boot("qemu", "iso", "128M", twins_cmdline(["8M:wait=1500"] * 4, RATES, "script=share"))


class TestSharingSvm(SharingScenario):
    pass


@pytest.fixture(scope="module")
def salted():
    vms = ["6M:salt=1:cow=0:wait=600"] * 2 + ["6M:salt=2:cow=0:wait=600"] * 2 + ["6M:share=off:cow=0:wait=600"]
    return boot("qemu", "iso", "128M", twins_cmdline(vms, RATES, f'script="{SALT_SCRIPT}" script_at=vm:twins'))


class TestSaltsSvm(SaltScenario):
    pass


@pytest.fixture(scope="module")
def stress():
    # Small VMs, three write / put back / re-merge cycles, and the whole
    # invariant checker after every merge and every copy-on-write break.
    vm = "3M:twins=96:zeros=48:unique=32:cow=24:cycles=3:wait=300"
    return boot("qemu", "iso", "64M", twins_cmdline([vm] * 3, "share_scan_time=200 share_rate_max=100000 "
                                                    "share_scan_ghz=1000 share_check", "script=share"))


def test_stress_checks_invariants_after_every_merge_and_break(stress):
    assert stress.final == (0, "guests-done"), stress.describe()
    for vm in (1, 2, 3):
        for cycle in (1, 2, 3):
            stress.match(rf"^\[vm{vm}:twins\] twins: cycle {cycle}: verified \d+ pages, mismatches 0$")
    rows = output_of(stress, "share")
    frames = next(r for r in rows if r.startswith("  frames:"))
    m = re.search(r"merges (\d+), copies (\d+), reowned (\d+),.* invariant checks (\d+)$", frames)
    merges, copies, reowned, checks = map(int, m.groups())
    print(frames)
    assert copies > 0 and reowned > 0, f"the stress run broke no shares: {frames}"
    assert checks >= copies + reowned + merges // 2, \
        f"{checks} checks for {merges} merged pages and {copies + reowned} breaks: {frames}"


@pytest.mark.parametrize("arg, message", [
    ("salt=x", r"twins: salt=x: expected a number from 0 to 4294967295"),
    ("share=maybe", r"twins: share=maybe: expected share=on or share=off"),
])
def test_bad_salt_or_share_is_a_clear_error(arg, message):
    run = boot("qemu", "iso", "64M", f"guests=twins:4M:{arg}")
    run.match(r"^memvisor: error: option 'guests': " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()
