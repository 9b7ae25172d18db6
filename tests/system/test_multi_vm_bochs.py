"""Nine VMs on one CPU under Bochs/VMX (checks: multi_vm_checks.py). Bochs
delivers no external-interrupt exit while a guest runs with IF=0, so the
VMX backend preempts with the VMX-preemption timer."""
import pytest
from conftest import boot
from multi_vm_checks import NINE, MultiVmScenario


@pytest.fixture(scope="module")
def nine():
    return boot("bochs", "iso", "128M", NINE, cpu="corei7_skylake_x")


class TestNineVmsVmx(MultiVmScenario):
    pass
