"""The adversarial guest under QEMU/SVM (checks: attack_checks.py)."""
import pytest
from conftest import boot
from attack_checks import AttackScenario, attack_cmdline


@pytest.fixture(scope="module")
def attacked():
    return boot("qemu", "iso", "160M", attack_cmdline())


class TestAttackSvm(AttackScenario):
    pass
