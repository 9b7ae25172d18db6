"""Bochs, corei7_skylake_x (Intel VMX + EPT), BIOS GRUB from the ISO: every in-kernel
test passes."""
import pytest
from conftest import AllTestsScenario, boot


@pytest.fixture(scope="module")
def run():
    return boot("bochs", "iso", "256M", "test=all", cpu="corei7_skylake_x")


class TestBochsIso(AllTestsScenario):
    boot_path = "multiboot2/bios"
    mem_mib = 256
