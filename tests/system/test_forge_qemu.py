"""A guest prints memvisor's status and summary lines under QEMU/SVM
(checks: forge_checks.py)."""
import pytest
from conftest import boot
from forge_checks import FORGE, ForgeScenario


@pytest.fixture(scope="module")
def forge():
    return boot("qemu", "iso", "64M", FORGE)


class TestForgedStatusSvm(ForgeScenario):
    pass
