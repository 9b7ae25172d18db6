"""Guests that forge memvisor's lines, flood it with marks and inflate pages it
compressed, beside memtest, under QEMU/SVM (checks: untrusted_checks.py)."""
import pytest
from conftest import boot
from untrusted_checks import UNTRUSTED, UntrustedScenario


@pytest.fixture(scope="module")
def untrusted():
    return boot("qemu", "iso", "64M", UNTRUSTED)


class TestUntrustedGuestsSvm(UntrustedScenario):
    pass
