"""Host swap (vmm/swap/swap.h) on each backend (QEMU/SVM, Bochs/VMX): a disk
made with tools/mkswap, attached as ata0-slave, takes the pages that do not
compress once memory is short, and only such a disk is ever written.

The first two also run under OVMF (UEFI firmware; memvisor.efi, whose FAT
drive at ata0-master must be left alone as well); the random disk is not
booted under Bochs (its header check is the same code). The scenarios, one
boot each:
  PRESSURE with --swap   a memtest guest beside a hog that fills more memory with
                         random data than guest_mem holds: both finish with
                         every page intact (memtest's and the hog's own checks),
                         having gone out to disk and come back.
  PRESSURE, random disk  the same run with a disk of random bytes attached: it
                         is left alone (said on boot, byte-for-byte unchanged
                         after), and without swap the hog is stopped as
                         thrashing, as before host swap existed.
  swap=off               a valid swap disk attached but swap=off: no disk is
                         read or written, the image is unchanged.
  swap_io=pio            the polled-PIO fallback (QEMU; under Bochs
                         scenario=swap runs with it): intact, clustered
                         writes, no swap-in waiting off the CPU.
  busy beside a hog      a CPU-bound busy VM keeps its share while a hog
                         swaps in, each of its swap-ins waited off the CPU.
  scenario=swap          4x overcommit of mostly incompressible memory (hog,
                         zipmix's random pages, memtest) with --swap: every VM
                         finishes with zero mismatches; without a swap disk it
                         is an option error naming how to attach one. With
                         swap_bench= it also measures the raw disk and times
                         swap-outs, swap-ins and faults by kind."""
import hashlib
import os
import subprocess

import pytest
from memvisor import CPU_LINE_RE, ROOT, STATUS_GUEST_STOPPED, STATUS_OK, STATUS_USAGE, SWAP_RECLAIMED_RE, by_backend, only_on
from test_fair_share import TOLERANCE as FAIR_TOLERANCE

# Scaled per backend: Bochs takes ~100x longer per exit than QEMU/TCG; under
# OVMF (QEMU with UEFI firmware: the ISO's GRUB, or memvisor.efi from the
# UEFI shell beside its FAT drive at ata0-master) the smaller run keeps the
# firmware's slower boot within budget.
SMALL_PRESSURE = "guests=memtest:6M:passes=2,hog:12M:ms=200 guest_mem=8M"
PRESSURE = {
    "qemu": "guests=memtest:16M:passes=2,hog:64M:ms=500 guest_mem=48M",
    "bochs": SMALL_PRESSURE,
    "ovmf_iso": SMALL_PRESSURE,
    "ovmf_efi": SMALL_PRESSURE,
}
WITH_OVMF = only_on("qemu", "bochs", "ovmf_efi")  # ovmf_iso boots the same ISO as qemu: not again
# A disk without the header: under QEMU's BIOS and OVMF (memvisor.efi, whose
# own FAT drive sits at ata0-master). The header check is the same code
# under Bochs, whose disk attachment every Bochs swap run above proves.
RANDOM_DISK_ON = only_on("qemu", "ovmf_efi")
STATS = " stats_interval=500 script=swap"  # stats lines while the guests run (the short OVMF run too), the monitor's view at the end
SWAP_SIZE = "128M"
RANDOM_DISK_BYTES = 8 << 20
TIMEOUT = {"qemu": 90, "bochs": 150, "ovmf_iso": 150, "ovmf_efi": 150}

SLOTS_RE = (r"^memvisor: swap: (\d+) slots on ata0-slave, uuid [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} "
            r"\((dma|pio)\)$")
LEFT_ALONE_RE = (r"^memvisor: swap: ata0-slave \(8 MiB\) has no swap header: left untouched; "
                 r"make one with tools/mkswap FILE SIZE")
VM_STATS_RE = r"^stats: t=\d+ vm=(\w+) id=\d+ .* swapped=(\d+) swap_outs=(\d+) swap_ins=(\d+) "
MACHINE_STATS_RE = r"^stats: t=\d+ vm=- .* swap_used=(\d+) swap_slots=(\d+) "
MONITOR_ROW_RE = r"^  vm\d+ (\w+)\s+(\d+) slots\s+(\d+) out\s+(\d+) in\s+(\d+) errors$"
HOG_DONE_RE = r"^\[vm2:hog\] hog: (\d+) rounds over (\d+) pages, (\d+) damaged$"
MEMTEST_DONE_RE = r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    d = tmp_path_factory.mktemp("disks")
    random_disk = d / "random.img"
    random_disk.write_bytes(os.urandom(RANDOM_DISK_BYTES))
    swap_disk = d / "made.img"
    subprocess.run([str(ROOT / "tools" / "mkswap"), str(swap_disk), "16M"], check=True, capture_output=True)
    return {"random": random_disk, "made": swap_disk}


@pytest.fixture(scope="module")
def swap_run(backend):
    return backend.boot("256M", by_backend(PRESSURE, backend) + STATS, timeout=by_backend(TIMEOUT, backend),
                        run_args=("--swap", SWAP_SIZE))


@pytest.fixture(scope="module")
def random_disk_run(backend, disks):
    before = digest(disks["random"])
    run = backend.boot("256M", by_backend(PRESSURE, backend), timeout=by_backend(TIMEOUT, backend),
                       run_args=("--swap-image", str(disks["random"])))
    return run, before, digest(disks["random"])


@pytest.fixture(scope="module")
def off_run(backend, disks):
    before = digest(disks["made"])
    run = backend.boot("64M", "guests=hello:4M swap=off", timeout=by_backend(TIMEOUT, backend),
                       run_args=("--swap-image", str(disks["made"])))
    return run, before, digest(disks["made"])


@WITH_OVMF
def test_overcommitted_run_with_swap_finishes_intact(swap_run):
    run = swap_run
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    slots, mode = run.match(SLOTS_RE).groups()
    assert int(slots) == (128 << 20) // 4096 - 1, f"expected {(128 << 20) // 4096 - 1} slots, seen {slots}"
    # Both emulators' PIIX3 has a bus master (BAR4): the transfers are DMA, not PIO.
    assert mode == "dma", f"expected the swap disk driven by bus-master DMA, seen {mode}\n{run.describe()}"
    run.match(r"^memvisor: ata: bus master at I/O 0x[0-9a-f]+ \(PCI 00:[0-9a-f]{2}\.\d, vendor 0x8086 ")
    hog = run.match(HOG_DONE_RE)
    assert int(hog.group(1)) >= 1 and int(hog.group(3)) == 0, \
        f"expected the hog to check its pages at least once with none damaged, seen {hog.group(0)!r}"
    memtest = run.match(MEMTEST_DONE_RE)
    assert int(memtest.group(2)) == 0, f"expected memtest to see 0 mismatches, seen {memtest.group(0)!r}"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert outs > 0 and ins > 0, f"expected pages swapped out and in, seen {outs} out, {ins} in\n{run.describe()}"
    assert not run.containing("thrashing"), f"expected no VM stopped as thrashing\n{run.describe()}"


@WITH_OVMF
def test_swap_is_visible_in_stats_and_monitor(swap_run):
    run = swap_run
    hog = [tuple(map(int, m.groups()[1:])) for m in run.find(VM_STATS_RE) if m.group(1) == "hog"]
    assert hog, f"expected stats lines for the hog with swap keys\n{run.describe()}"
    assert max(h[0] for h in hog) > 0 and max(h[1] for h in hog) > 0, \
        f"expected the hog's swapped and swap_outs > 0 in some stats line, seen {hog}"
    machine = [tuple(map(int, m.groups())) for m in run.find(MACHINE_STATS_RE)]
    slots = (128 << 20) // 4096 - 1
    assert machine and all(t == slots and u <= t for u, t in machine), \
        f"expected swap_slots={slots} and swap_used within it on every machine line, seen {machine}"
    assert max(u for u, _ in machine) > 0, f"expected swap_used > 0 on some machine line, seen {machine}"
    rows = {m.group(1): tuple(map(int, m.groups()[1:])) for m in run.find(MONITOR_ROW_RE)}
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert sum(r[1] for r in rows.values()) == outs and sum(r[2] for r in rows.values()) == ins, \
        f"expected the monitor's per-VM rows to add up to {outs} out and {ins} in, seen {rows}"
    assert all(r[0] == 0 for r in rows.values()), f"expected no slot left in use once every VM ended: {rows}"


@RANDOM_DISK_ON
def test_disk_without_header_is_left_alone(random_disk_run):
    run, before, after = random_disk_run
    run.match(LEFT_ALONE_RE)
    assert not run.find(SLOTS_RE), f"expected the random disk not to become the swap device\n{run.describe()}"
    assert before == after, f"expected the random disk byte-for-byte unchanged: sha256 {before} before, {after} after"


@RANDOM_DISK_ON
def test_without_swap_the_same_run_thrashes(random_disk_run):
    run, _, _ = random_disk_run
    assert run.status == STATUS_GUEST_STOPPED, \
        f"expected status {STATUS_GUEST_STOPPED} (the hog stopped), seen {run.status}\n{run.describe()}"
    assert run.find(r"^memvisor: \[vm2:hog\] stopped: thrashing"), f"expected the hog stopped as thrashing\n{run.describe()}"


def test_bad_swap_option_is_an_option_error(backend):
    run = backend.boot("64M", "guests=hello:4M swap=maybe", timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_USAGE, f"expected status {STATUS_USAGE} (option error), seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: error: option 'swap': expected auto .* or off")


SCENARIO_TIMEOUT = {"qemu": 90, "bochs": 120}
RAW_PAGES = 64  # swap_bench=: the raw disk measurement at boot, kept short
RAW_RE = r"^memvisor: swap bench: raw (write|read) (\d+) pages in (\d+) us: (\d+)\.\d\d MB/s, (\d+) pages/s$"
OPS_RE = r"^memvisor: swap bench: (\d+) (swap-outs|swap-ins) in (\d+) us: (\d+) pages/s$"
FAULT_TIME_RE = (r"^memvisor: fault time: ([\w -]+): (\d+) faults \(latest (\d+) sampled\), "
                 r"p50 (\d+)\.(\d{3}) us, p99 (\d+)\.(\d{3}) us$")
OVERCOMMIT_RE = r"^memvisor: guest memory: (\d+) KiB for (\d+) KiB of guests \(overcommit (\d+\.\d\d)x\)$"
GUESTS_RE = r"^memvisor: guests: (\d+) ok, (\d+) failed, (\d+) stopped$"
SCENARIO_DONE_RES = (
    ("memtest", r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$"),
    ("hog", r"^\[vm2:hog\] hog: (\d+) rounds over (\d+) pages, (\d+) damaged$"),
    ("zipmix", r"^\[vm3:zipmix\] zipmix: verified (\d+) pages, mismatches (\d+)$"),
)


# Bochs drives the disk by polled PIO here: its DMA waits a millisecond of
# its own time before each transfer. So PIO is tested under VMX here, and
# under SVM by pio_run below; the other Bochs swap runs use DMA. Under
# Bochs this is the longest run there is (half a minute): it runs in
# `make soak` (MEMVISOR_SLOW=1), as scenario=overcommit does.
SCENARIO_IO = {"qemu": "", "bochs": " swap_io=pio"}


@pytest.fixture(scope="module")
def scenario_run(backend):
    if backend.emu == "bochs" and not os.environ.get("MEMVISOR_SLOW"):
        pytest.skip("scenario=swap under Bochs runs in `make soak` (MEMVISOR_SLOW=1)")
    return backend.boot("256M", f"scenario=swap swap_bench={RAW_PAGES} script=swap" + by_backend(SCENARIO_IO, backend),
                        timeout=by_backend(SCENARIO_TIMEOUT, backend),
                        run_args=("--swap", SWAP_SIZE))


def test_scenario_swap_finishes_4x_overcommitted_intact(scenario_run):
    run = scenario_run
    assert run.status == STATUS_OK, \
        f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    held, asked, ratio = run.match(OVERCOMMIT_RE).groups()
    assert int(asked) >= 4 * int(held) and float(ratio) >= 4.0, \
        f"expected at least 4x overcommit, seen {asked} KiB of guests in {held} KiB ({ratio}x)"
    ok, failed, stopped = map(int, run.match(GUESTS_RE).groups())
    assert (ok, failed, stopped) == (3, 0, 0), f"expected 3 ok, 0 failed, 0 stopped, seen {(ok, failed, stopped)}"
    for name, regex in SCENARIO_DONE_RES:
        m = run.match(regex)
        bad = int(m.groups()[-1])
        assert bad == 0, f"expected {name} to report 0 mismatches, seen {m.group(0)!r}"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert outs > 0 and ins > 0, f"expected pages swapped out and in, seen {outs} out, {ins} in\n{run.describe()}"


WRITES_RE = r"^  writes: (\d+) requests for (\d+) pages \((\d+)\.(\d\d) pages per request\)$"


def test_scenario_swap_writes_victims_in_clusters(scenario_run):
    """The victims of one clock pass go to consecutive slots and out in one
    write request (vmm/swap/cluster.c): more than one page per request, and
    the requests carried every page swapped out."""
    run = scenario_run
    requests, pages = map(int, run.match(WRITES_RE).groups()[:2])
    outs, _ = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert pages == outs, f"expected the write requests to carry the {outs} pages swapped out, seen {pages}"
    assert requests > 0 and pages / requests > 1, \
        f"expected more than one page per write request, seen {requests} requests for {pages} pages\n{run.describe()}"


def test_swap_bench_figures_agree_with_the_run(scenario_run):
    """swap_bench=: the raw disk lines at boot, and the end's swap-out and
    swap-in counts and fault times agree with the summary's own counts."""
    run = scenario_run
    raw = {m.group(1): tuple(map(int, m.groups()[1:])) for m in run.find(RAW_RE)}
    assert set(raw) == {"write", "read"}, f"expected a raw write and a raw read line, seen {raw}\n{run.describe()}"
    for what, (pages, us, mbs, rate) in raw.items():
        assert pages == RAW_PAGES and us > 0 and rate > 0, \
            f"expected raw {what} of {RAW_PAGES} pages in a measured time, seen {pages} pages in {us} us, {rate}/s"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    ops = {m.group(2): int(m.group(1)) for m in run.find(OPS_RE)}
    assert ops == {"swap-outs": outs, "swap-ins": ins}, \
        f"expected the bench's counts to be the summary's ({outs} out, {ins} in), seen {ops}"
    faults = {m.group(1): m for m in run.find(FAULT_TIME_RE)}
    assert set(faults) == {"first touch", "compressed swap-in", "swap-in from disk"}, \
        f"expected a fault time line per kind, seen {sorted(faults)}\n{run.describe()}"
    disk = faults["swap-in from disk"]
    assert int(disk.group(2)) == ins, f"expected {ins} timed swap-ins from disk, seen {disk.group(0)!r}"
    for kind, m in faults.items():
        p50, p99 = int(m.group(4)) * 1000 + int(m.group(5)), int(m.group(6)) * 1000 + int(m.group(7))
        assert 0 < p50 <= p99, f"expected 0 < p50 <= p99 for {kind}, seen {m.group(0)!r}"


def test_swap_bench_larger_than_the_disk_is_an_option_error(backend):
    run = backend.boot("64M", "guests=hello:4M swap_bench=40000", timeout=by_backend(TIMEOUT, backend),
                       run_args=("--swap", SWAP_SIZE))
    assert run.status == STATUS_USAGE, \
        f"expected status {STATUS_USAGE} (option error), seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: error: option 'swap_bench': more pages than the swap disk has slots$")


def test_scenario_swap_without_disk_is_an_error(backend):
    run = backend.boot("64M", "scenario=swap", timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_USAGE, \
        f"expected status {STATUS_USAGE} (option error), seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: error: option 'scenario': swap needs a swap disk .*tools/run --swap SIZE$")
    assert not run.find(r"^\[vm\d+:"), f"expected no guest to run without a swap disk\n{run.describe()}"


def test_swap_off_uses_no_disk(off_run):
    run, before, after = off_run
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: swap: off \(swap=off\): no disk is read or written$")
    assert not run.find(SLOTS_RE), f"expected no swap device with swap=off\n{run.describe()}"
    assert not run.find(r"^memvisor: ata: "), f"expected no disk even probed with swap=off\n{run.describe()}"
    assert before == after, f"expected the swap image unchanged: sha256 {before} before, {after} after"


# Swap-in with the VM off the CPU (vmm/swap/read_wait.c): a CPU-bound busy VM
# beside a hog that swaps in heavily and a memtest that verifies its memory.
# gap_us as tests/system/test_fair_share.py: longer than any one exit.
BESIDE_BUSY = {
    "qemu": "guests=busy:4M:kind=spin:ms=1500:gap_us=15000,memtest:4M:passes=2,hog:32M:ms=1500 guest_mem=24M",
    "bochs": "guests=busy:4M:kind=spin:ms=3000:gap_us=15000,memtest:2M:passes=2,hog:12M:ms=1000 guest_mem=8M",
}
BUSY_RAN_RE = r"^\[vm1:busy\] busy: kind=spin ran (\d+) of (\d+) ms"
WAITED_RE = r"^  vm(\d+) (\w+)\s+(\d+) swap-ins waited off the CPU, (\d+) while others ran$"
BUSY_MEMTEST_DONE_RE = r"^\[vm2:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$"
BUSY_HOG_DONE_RE = r"^\[vm3:hog\] hog: (\d+) rounds over (\d+) pages, (\d+) damaged$"


@pytest.fixture(scope="module")
def busy_run(backend):
    return backend.boot("256M", by_backend(BESIDE_BUSY, backend) + " script=swap",
                        timeout=by_backend(TIMEOUT, backend), run_args=("--swap", SWAP_SIZE))


def test_swap_in_waits_off_the_cpu(busy_run):
    """Every swap-in of the hog is a read it waited for off the CPU (with
    PIO, or synchronous DMA, there is no such wait: the CPU moves the page
    or spins for it inside the fault)."""
    run = busy_run
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    rows = {m.group(2): (int(m.group(3)), int(m.group(4))) for m in run.find(WAITED_RE)}
    ins = {m.group(1): int(m.group(4)) for m in run.find(MONITOR_ROW_RE)}
    assert "hog" in rows and rows["hog"][0] > 0, \
        f"expected the hog to wait off the CPU for its swap-ins, seen {rows}\n{run.describe()}"
    assert rows["hog"][0] == ins["hog"], \
        f"expected each of the hog's {ins['hog']} swap-ins waited for off the CPU, seen {rows['hog'][0]}"


def test_busy_vm_keeps_its_share_while_another_swaps_in(busy_run):
    """A third of what the guests get: memvisor's own background work (the
    swapping among it, up to background_pct=20 of the time) is nobody's
    slice, so the busy VM's fair share of its wall-clock window is a third
    of the rest, as this run measured it."""
    run = busy_run
    ran, total = map(int, run.match(BUSY_RAN_RE).groups())
    guests_ms, background_ms = map(int, run.match(CPU_LINE_RE).groups()[:2])
    fair = (1 - background_ms / (guests_ms + background_ms)) / 3
    share = ran / total
    assert share >= (1 - FAIR_TOLERANCE) * fair, \
        (f"expected the busy VM's share within {FAIR_TOLERANCE:.0%} of {fair:.3f} (a third of the guests' "
         f"time, background work {background_ms} of {guests_ms + background_ms} ms) or above, "
         f"seen {share:.3f} ({ran} of {total} ms)\n{run.describe()}")
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert ins > 1000, f"expected the hog to swap in heavily (over 1000 pages), seen {ins}"
    memtest = run.match(BUSY_MEMTEST_DONE_RE)
    assert int(memtest.group(2)) == 0, f"expected memtest to see 0 mismatches, seen {memtest.group(0)!r}"
    hog = run.match(BUSY_HOG_DONE_RE)
    assert int(hog.group(3)) == 0, f"expected the hog's pages intact, seen {hog.group(0)!r}"


@pytest.fixture(scope="module")
def pio_run(backend):
    return backend.boot("256M", SMALL_PRESSURE + " swap_io=pio script=swap",
                        timeout=by_backend(TIMEOUT, backend), run_args=("--swap", SWAP_SIZE))


@only_on("qemu")  # Bochs' PIO: scenario_run
def test_pio_fallback_swaps_synchronously_and_intact(pio_run):
    """swap_io=pio: the driver's polled PIO, as without a bus master — the
    same run finishes intact, its clusters written as multi-sector PIO
    commands, and no swap-in waits off the CPU (the CPU moves the page)."""
    run = pio_run
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    assert run.match(SLOTS_RE).group(2) == "pio", f"expected the swap disk driven by PIO\n{run.describe()}"
    run.match(r"^memvisor: ata: ata0-slave: .*, PIO \(swap_io=pio\)$")
    assert not run.find(r"^memvisor: ata: bus master"), f"expected no bus master looked for\n{run.describe()}"
    hog, memtest = run.match(HOG_DONE_RE), run.match(MEMTEST_DONE_RE)
    assert int(hog.group(3)) == 0 and int(memtest.group(2)) == 0, \
        f"expected every page intact, seen {hog.group(0)!r} and {memtest.group(0)!r}"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert outs > 0 and ins > 0, f"expected pages swapped out and in, seen {outs} out, {ins} in"
    assert not run.find(WAITED_RE), f"expected no swap-in waited off the CPU with PIO\n{run.describe()}"
    requests, pages = map(int, run.match(WRITES_RE).groups()[:2])
    assert pages == outs and pages / requests > 1, \
        f"expected clusters of more than one page in each PIO write too, seen {requests} requests for {pages} pages"


def test_bad_swap_io_option_is_an_option_error(backend):
    run = backend.boot("64M", "guests=hello:4M swap_io=udma", timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_USAGE, f"expected status {STATUS_USAGE} (option error), seen {run.status}\n{run.describe()}"
    run.match(r"^memvisor: error: option 'swap_io': expected dma .* or pio")
