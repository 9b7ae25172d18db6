"""QEMU, BIOS GRUB from the ISO, 512 MiB: every in-kernel test passes."""
import pytest
from conftest import AllTestsScenario, boot


@pytest.fixture(scope="module")
def run():
    return boot("qemu", "iso", "512M", "test=all")


class TestQemuBios512M(AllTestsScenario):
    boot_path = "multiboot2/bios"
    mem_mib = 512
