"""Host swap's disk errors (vmm/swap/swap.c), made with QEMU's blkdebug
driver (tools/run --swap-inject). QEMU only: Bochs has no way to make its
disk fail a chosen transfer, so the boots here run on the qemu backend alone.

  write errors   the first sector of slots 0, 1 and 2 fails every write: each
                 page whose write failed stays in memory (nothing lost: memtest
                 and the hog check every page), the three slots are retired
                 (never used again) and counted, and the run finishes.
  read errors    the first sector of slots 1..16 fails every read: the hog,
                 the VM whose pages went there (memtest has a reservation),
                 is stopped when it needs one back, named with the page and
                 the slot, and memtest goes on to the end with every page
                 verified by its own check."""
import subprocess

from memvisor import ROOT, STATUS_GUEST_STOPPED, STATUS_OK, only_on

SECTORS_PER_SLOT = 8  # 4 KiB slots of 512-byte sectors; slot N after the header page


def first_sector(slot):
    return SECTORS_PER_SLOT * (slot + 1)


WRITE_FAILING_SLOTS = (0, 1, 2)
READ_FAILING_SLOTS = range(1, 17)
GUESTS = "guest_mem=4M script=swap stats_interval=2000"
WRITE_RUN = "guests=memtest:3M:passes=2,hog:6M:ms=100 " + GUESTS
# memtest's reservation keeps it out of reclamation (its entitlement by
# shares per GiB would be a third of guest_mem, less than its working set):
# only the hog's pages go to the failing slots, so which VM is stopped does
# not depend on where the clock's victims happen to land.
READ_RUN = "guests=memtest:3M:passes=12:reservation=3M,hog:6M:ms=100 " + GUESTS
TIMEOUT = 60

RETIRED_RE = (r"^memvisor: \[vm\d+:\w+\] swap: write of gpa 0x[0-9a-f]+ to slot (\d+) on ata0-slave failed: "
              r"slot retired, page kept in memory \((\d+) slots retired\)$")
MACHINE_STATS_RE = r"^stats: t=\d+ vm=- .* swap_retired=(\d+) swap_errors=(\d+) "
VM_SWAP_SUMMARY_RE = r"^memvisor: vm\d+ (\w+) +swap: \d+ out, .*, (\d+) errors$"
MONITOR_HEAD_RE = r"^swap: ata0-slave, \d+ of \d+ slots used, (\d+) retired after a failed write, (\d+) errors$"
READ_STOP_RE = (r"^memvisor: \[vm(\d+):(\w+)\] stopped: its page at gpa 0x[0-9a-f]+ cannot be read back from "
                r"swap slot (\d+) on ata0-slave$")
DONE_RES = {
    "memtest": r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$",
    "hog": r"^\[vm2:hog\] hog: (\d+) rounds over (\d+) pages, (\d+) damaged$",
}


def inject(op, slots):
    args = []
    for slot in slots:
        args += ["--swap-inject", f"{op}:{first_sector(slot)}"]
    return tuple(args)


@only_on("qemu")
def test_write_errors_retire_slots_and_lose_nothing(backend):
    run = backend.boot("256M", WRITE_RUN, timeout=TIMEOUT,
                       run_args=("--swap", "32M") + inject("write", WRITE_FAILING_SLOTS))
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    for name, regex in DONE_RES.items():
        bad = int(run.match(regex).groups()[-1])
        assert bad == 0, f"expected {name} to find 0 damaged pages, seen {bad}"
    retired = sorted(int(m.group(1)) for m in run.find(RETIRED_RE))
    assert retired == list(WRITE_FAILING_SLOTS), \
        f"expected slots {list(WRITE_FAILING_SLOTS)} retired once each, seen {retired}\n{run.describe()}"
    machine = [tuple(map(int, m.groups())) for m in run.find(MACHINE_STATS_RE)]
    assert machine and machine[-1] == (3, 3), \
        f"expected the last machine stats line to say swap_retired=3 swap_errors=3, seen {machine[-1:]}"
    # Each VM's own count, from its summary line at the end (a short run may
    # print no stats line for its VMs after the errors).
    per_vm = {m.group(1): int(m.group(2)) for m in run.find(VM_SWAP_SUMMARY_RE)}
    assert sum(per_vm.values()) == 3, f"expected the VMs' swap errors to add up to 3, seen {per_vm}"
    head = run.match(MONITOR_HEAD_RE)
    assert tuple(map(int, head.groups())) == (3, 3), f"expected the monitor to say 3 retired, 3 errors: {head.group(0)!r}"


@only_on("qemu")
def test_read_error_stops_only_the_vm_whose_page_it_was(backend):
    run = backend.boot("256M", READ_RUN, timeout=TIMEOUT,
                       run_args=("--swap", "32M") + inject("read", READ_FAILING_SLOTS))
    assert run.status == STATUS_GUEST_STOPPED, \
        f"expected status {STATUS_GUEST_STOPPED} (one guest stopped), seen {run.status}\n{run.describe()}"
    stops = run.find(READ_STOP_RE)
    assert len(stops) == 1, f"expected one VM stopped for a page it could not read back, seen {len(stops)}\n{run.describe()}"
    vm_id, name, slot = stops[0].group(1), stops[0].group(2), int(stops[0].group(3))
    assert slot in READ_FAILING_SLOTS, f"expected the slot named to be one that fails reads, seen {slot}"
    assert len(run.find(r"^memvisor: \[vm\d+:\w+\] stopped: ")) == 1, f"expected no other VM stopped\n{run.describe()}"
    other = "hog" if name == "memtest" else "memtest"
    done = run.match(DONE_RES[other])
    assert int(done.groups()[-1]) == 0, f"expected {other}, beside the stopped {name}, to verify every page: {done.group(0)!r}"
    run.match(rf"^memvisor: vm{vm_id} {name}\s+stopped ")
    run.match(rf"^memvisor: vm\d+ {other}\s+ok ")


def test_swap_inject_is_refused_where_it_cannot_work():
    """Bochs has no blkdebug; a rule needs a disk; a bad rule is named."""
    cases = (
        (["--emu", "bochs", "--swap", "16M", "--swap-inject", "write:8"], "--swap-inject needs QEMU's blkdebug"),
        (["--swap-inject", "write:8"], "--swap-inject fails the swap disk's transfers: give --swap SIZE"),
        (["--swap", "16M", "--swap-inject", "erase:8"], "'erase:8': expected read or write"),
        (["--swap", "16M", "--swap-inject", "read:x"], "'x' is neither a sector number nor once"),
    )
    for args, message in cases:
        done = subprocess.run([str(ROOT / "tools" / "run"), *args], capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and message in done.stderr, \
            f"tools/run {' '.join(args)}: expected status 2 and {message!r}, seen {done.returncode}: {done.stderr}"


ATA_WRITE_ERROR_RE = r"^memvisor: ata: ata0-slave: WRITE SECTORS EXT at sector (\d+): "


@only_on("qemu")
def test_pio_write_error_names_the_sector_that_failed(backend):
    """Polled PIO finds a write's error only when it waits to send the next
    sector: the line must still name the sector the disk refused."""
    run = backend.boot("256M", WRITE_RUN + " swap_io=pio", timeout=TIMEOUT,
                       run_args=("--swap", "32M") + inject("write", WRITE_FAILING_SLOTS))
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    named = {int(m.group(1)) for m in run.find(ATA_WRITE_ERROR_RE)}
    failing = {first_sector(slot) for slot in WRITE_FAILING_SLOTS}
    assert named and named <= failing, \
        f"expected the error lines to name the failing sectors {sorted(failing)}, seen {sorted(named)}\n{run.describe()}"
