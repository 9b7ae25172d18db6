"""A guest prints memvisor's status and summary lines under Bochs/VMX
(checks: forge_checks.py)."""
import pytest
from conftest import boot, skip_unless_bochs_runs_a_guest
from forge_checks import FORGE, ForgeScenario

CPU = "corei7_skylake_x"


@pytest.fixture(scope="module")
def forge():
    skip_unless_bochs_runs_a_guest(CPU)
    return boot("bochs", "iso", "64M", FORGE, cpu=CPU)


class TestForgedStatusVmx(ForgeScenario):
    pass
