"""QEMU, BIOS GRUB from the ISO, 5 GiB: every in-kernel test passes, and the
kernel uses the RAM that QEMU places above 4 GiB (3 GiB below the PCI hole,
2 GiB from 0x100000000 on)."""
import pytest
from conftest import AllTestsScenario, boot, frames

FOUR_GIB = 4 << 30


@pytest.fixture(scope="module")
def run():
    return boot("qemu", "iso", "5G", "test=all")


class TestQemuBios5G(AllTestsScenario):
    boot_path = "multiboot2/bios"
    mem_mib = 5 * 1024

    def test_highest_usable_address_is_above_4gib(self, run):
        total, free, usable, highest = frames(run)
        assert highest > FOUR_GIB, f"highest={highest:#x}: RAM above 4 GiB was not found"

    def test_usable_ram_counts_frames_above_4gib(self, run):
        total, free, usable, highest = frames(run)
        assert usable > 4096, f"usable={usable} MiB: the RAM above 4 GiB is missing"
