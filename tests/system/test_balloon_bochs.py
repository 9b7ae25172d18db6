"""The balloon under Bochs (Intel VT-x + EPT): the same scenarios and checks as
under QEMU/SVM (balloon_checks.py). They need a working VMX backend: if a plain
guest does not run under Bochs, every test here is skipped, saying so."""
import pytest
from balloon_checks import (BAD_CMDLINE, CYCLES_CMDLINE, SHARED_CMDLINE, BadBalloonScenario, CyclesScenario,
                            SharedScenario)
from conftest import boot, run_tool

CPU = "corei7_skylake_x"
PROBE = ["--emu", "bochs", "--cpu", CPU, "--mem", "64M", "--cmdline", "guests=hello:4M", "--timeout", "60",
         "--quiet"]


@pytest.fixture(scope="module")
def vmx_works():
    """Skips the module unless hello runs to status 0 under Bochs."""
    done = run_tool(*PROBE, timeout=120)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"the VMX backend cannot run a guest under Bochs yet: `tools/run {' '.join(PROBE)}` "
                    f"exited {done.returncode} ({tail})")


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
