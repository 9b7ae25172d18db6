"""QEMU with OVMF, UEFI GRUB from the ISO: every in-kernel test passes."""
import pytest
from conftest import AllTestsScenario, boot


@pytest.fixture(scope="module")
def run():
    return boot("ovmf", "iso", "256M", "test=all")


class TestOvmfIso(AllTestsScenario):
    boot_path = "multiboot2/uefi"
    mem_mib = 256
