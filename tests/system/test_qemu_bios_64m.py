"""QEMU, BIOS GRUB from the ISO, 64 MiB: every in-kernel test passes."""
import pytest
from conftest import AllTestsScenario, boot


@pytest.fixture(scope="module")
def run():
    return boot("qemu", "iso", "64M", "test=all")


class TestQemuBios64M(AllTestsScenario):
    boot_path = "multiboot2/bios"
    mem_mib = 64
