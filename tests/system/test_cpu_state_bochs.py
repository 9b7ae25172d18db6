"""No CPU state passes between VMs under Bochs/VMX (checks: cpu_state_checks.py).
corei7_skylake_x also has AVX-512, whose registers a guest can set."""
import pytest
from conftest import boot
from cpu_state_checks import SPY, CpuStateScenario


@pytest.fixture(scope="module")
def spy():
    return boot("bochs", "iso", "64M", SPY, cpu="corei7_skylake_x")


class TestCpuStateVmx(CpuStateScenario):
    vector_state = {"x87", "SSE", "YMM_Hi128", "opmask", "ZMM_Hi256", "Hi16_ZMM"}
