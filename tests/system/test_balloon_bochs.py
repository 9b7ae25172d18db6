"""The balloon under Bochs (Intel VT-x + EPT): the same scenarios and checks as
under QEMU/SVM (balloon_checks.py). They need a working VMX backend: if a plain
guest does not run under Bochs, every test here is skipped, saying so."""
import pytest
from balloon_checks import (BAD_CMDLINE, CYCLES_CMDLINE, SHARED_CMDLINE, BadBalloonScenario, CyclesScenario,
                            SharedScenario)
from conftest import boot, skip_unless_bochs_runs_a_guest

CPU = "corei7_skylake_x"


@pytest.fixture(scope="module")
def vmx_works():
    skip_unless_bochs_runs_a_guest(CPU)


@pytest.fixture(scope="module")
def cycles_run(vmx_works):
    return boot("bochs", "iso", "64M", CYCLES_CMDLINE, cpu=CPU, timeout=180)


@pytest.fixture(scope="module")
def shared_run(vmx_works):
    return boot("bochs", "iso", "64M", SHARED_CMDLINE, cpu=CPU, timeout=180)


@pytest.fixture(scope="module")
def bad_run(vmx_works):
    return boot("bochs", "iso", "64M", BAD_CMDLINE, cpu=CPU)


class TestBalloonCyclesVmx(CyclesScenario):
    pass


class TestBalloonSharedVmx(SharedScenario):
    pass


class TestBadBalloonVmx(BadBalloonScenario):
    pass
