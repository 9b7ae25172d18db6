"""No CPU state passes between VMs under QEMU/SVM (checks: cpu_state_checks.py).
QEMU's -cpu max also lets a guest set PKRU and enable MPX."""
import pytest
from conftest import boot
from cpu_state_checks import COMMON_REGISTERS, SPY, CpuStateScenario


@pytest.fixture(scope="module")
def spy():
    return boot("qemu", "iso", "64M", SPY)


class TestCpuStateSvm(CpuStateScenario):
    registers = COMMON_REGISTERS | {"PKRU"}
    vector_state = {"x87", "SSE", "YMM_Hi128", "BNDREGS"}
