"""No CPU state passes between VMs under Bochs/SVM (checks: cpu_state_checks.py).
The one emulator here whose SVM honours the XSETBV intercept (QEMU's TCG
ignores it), so memvisor's XSETBV emulation and #GP injection run on the SVM
backend too. Bochs makes no INTR exit while the guest runs with IF=0, so the
writer ends before the reader starts: the reader then looks for what the
ended VM left behind."""
import pytest
from conftest import boot
from cpu_state_checks import SPY, CpuStateScenario


@pytest.fixture(scope="module")
def spy():
    return boot("bochs", "iso", "64M", SPY, cpu="ryzen")


class TestCpuStateBochsSvm(CpuStateScenario):
    preempted = False
