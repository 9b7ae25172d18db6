"""Nine VMs on one CPU under QEMU/SVM (checks: multi_vm_checks.py)."""
import pytest
from conftest import boot
from multi_vm_checks import NINE, MultiVmScenario


@pytest.fixture(scope="module")
def nine():
    return boot("qemu", "iso", "128M", NINE)


class TestNineVmsSvm(MultiVmScenario):
    pass
