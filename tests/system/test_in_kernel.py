"""Every in-kernel (KTAP) test passes on each machine memvisor boots on:
QEMU with BIOS GRUB from the ISO at 64 MiB, 512 MiB and 5 GiB (3 GiB below
the PCI hole, 2 GiB from 0x100000000 on: the kernel must use the RAM above
4 GiB), QEMU with OVMF (UEFI GRUB from the ISO, and memvisor.efi from the
UEFI shell), and Bochs' Skylake-X (VMX + EPT, BIOS GRUB). One boot with
test=all per machine."""
import pytest
from memvisor import BOOT_LINE_RE, FRAMES_RE, ZSWAP_RE, assert_ktap_passed

FOUR_GIB = 4 << 30

# (backend, MiB of RAM): the machines, one boot each.
MACHINES = [("qemu", 64), ("qemu", 512), ("qemu", 5 * 1024), ("ovmf_iso", 256), ("ovmf_efi", 256),
            ("bochs", 256)]

pytestmark = pytest.mark.parametrize(
    "backend, mem_mib", [pytest.param(b, m, id=f"{b}-{m}M") for b, m in MACHINES],
    indirect=["backend"], scope="module")


@pytest.fixture(scope="module")
def run(backend, mem_mib):
    return backend.boot(f"{mem_mib}M", "test=all")


def frames(run):
    """(total, free, usable MiB, highest) from the frames line."""
    m = run.match(FRAMES_RE)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4), 16)


def test_runner_status_is_0(run):
    assert run.status == 0, run.describe()


def test_final_line_says_tests_passed(run):
    assert run.final == (0, "tests-passed"), run.describe()


def test_boot_line_names_path_and_cmdline(run, backend):
    m = run.match(BOOT_LINE_RE)
    assert (m.group(1), m.group(2)) == (backend.boot_path, "test=all"), run.describe()


def test_every_ktap_test_passed(run):
    assert_ktap_passed(run)


def test_frames_line_is_consistent(run, mem_mib):
    total, free, usable, highest = frames(run)
    assert 0 < free <= total, f"free={free} total={total}"
    assert abs(usable - total * 4096 // 2**20) <= 1, \
        f"usable={usable} MiB but total={total} frames of 4 KiB"
    slack = 16 + mem_mib // 64     # firmware, ROMs and holes take some RAM
    assert mem_mib - slack <= usable <= mem_mib, \
        f"usable={usable} MiB for a machine with {mem_mib} MiB"
    assert highest >= usable * 2**20, f"highest={highest:#x} below usable={usable} MiB"


def test_zswap_region_is_reported(run):
    m = run.match(ZSWAP_RE)
    kib, start, end = int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)
    assert kib > 0 and end - start == kib * 1024, m.group(0)
    assert end <= frames(run)[3], f"{m.group(0)} lies beyond the highest usable address"


def test_highest_usable_address_is_above_4gib_exactly_when_the_ram_is(run, mem_mib):
    # Every machine here puts its RAM below the PCI hole (3 GiB) until it
    # has more than that; the rest starts at 4 GiB.
    total, free, usable, highest = frames(run)
    above = mem_mib > 3 * 1024
    assert (highest > FOUR_GIB) == above, \
        f"highest={highest:#x} with {mem_mib} MiB: expected it {'above' if above else 'below'} 4 GiB"


def test_usable_ram_counts_the_frames_above_4gib(run, mem_mib):
    total, free, usable, highest = frames(run)
    if mem_mib > 4096:
        assert usable > 4096, f"usable={usable} MiB of {mem_mib} MiB: the RAM above 4 GiB is missing"
    else:
        assert usable <= mem_mib, f"usable={usable} MiB of {mem_mib} MiB"
