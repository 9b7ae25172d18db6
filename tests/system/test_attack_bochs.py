"""The adversarial guest under Bochs/VMX (checks: attack_checks.py)."""
import pytest
from conftest import boot
from attack_checks import AttackScenario, attack_cmdline


@pytest.fixture(scope="module")
def attacked():
    return boot("bochs", "iso", "160M", attack_cmdline(), cpu="corei7_skylake_x", timeout=120)


class TestAttackVmx(AttackScenario):
    pass
