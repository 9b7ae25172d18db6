"""The monitor's `swap out VM COUNT` (vmm/swap/out_now.c) and `swap damage
VM [GFN]` (vmm/swap/damage.c) on each backend (QEMU/SVM, Bochs/VMX): in the
middle of zipmix's run (its first HC_MARK), 200 of its pages go to the swap
disk at once; `swap` shows them in use, the invariant checker finds nothing
wrong, and zipmix then reads every page back through the fault path and
verifies it. In another run a bit of one of zipmix's pages is flipped on the
disk itself: its swap-in sees the checksum differ and stops zipmix, named,
while memtest beside it verifies its memory and ends well. A bad VM, a bad
COUNT or GFN, a gfn not swapped out or a missing COUNT is a usage error;
without a swap disk the commands say so."""
import pytest
from memvisor import STATUS_GUEST_STOPPED, STATUS_OK, SWAP_RECLAIMED_RE, by_backend

COUNT = 200
SCRIPT = (f"swap out zipmix {COUNT};swap;check;swap out nosuch 5;swap out zipmix 0;swap out zipmix x;"
          "swap out zipmix;swap sideways")
RUN = f'guests=zipmix:8M script="{SCRIPT}" script_at=mark:zipmix:1'
TIMEOUT = {"qemu": 60, "bochs": 120}

OUT_RE = (r"^monitor: swap out vm1: (\d+) of (\d+) pages written to ata0-slave \(lowest private gfns first\), "
          r"(\d+) write errors$")
HEAD_RE = r"^swap: ata0-slave, (\d+) of \d+ slots used, 0 retired after a failed write, 0 errors$"
ROW_RE = r"^  vm1 zipmix\s+(\d+) slots\s+(\d+) out\s+(\d+) in\s+(\d+) errors$"
USAGE = "monitor: error: usage: swap [out VM COUNT | damage VM [GFN]]"
USAGE_RE = r"^monitor: error: usage: swap \[out VM COUNT \| damage VM \[GFN\]\]"

DAMAGE_SCRIPT = ("swap out zipmix 100;swap damage zipmix;swap damage nosuch;swap damage zipmix 0x1ff;"
                 "swap damage zipmix x;check")
DAMAGE_RUN = (f'guests=zipmix:2M:compressible=32:incompressible=8:same=8:hot=4,memtest:2M:passes=3 '
              f'script="{DAMAGE_SCRIPT}" script_at=mark:zipmix:1')
DAMAGED_RE = r"^monitor: vm1 gfn (0x[0-9a-f]+): one bit of its page flipped in swap slot (\d+) on ata0-slave$"


@pytest.fixture(scope="module")
def swap_out_run(backend):
    return backend.boot("128M", RUN, timeout=by_backend(TIMEOUT, backend), run_args=("--swap", "32M"))


def test_swap_out_writes_pages_that_come_back_intact(swap_out_run):
    run = swap_out_run
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    written, asked, errors = map(int, run.match(OUT_RE).groups())
    assert (written, asked, errors) == (COUNT, COUNT, 0), \
        f"expected {COUNT} of {COUNT} pages written, 0 errors, seen {(written, asked, errors)}"
    used = int(run.match(HEAD_RE).group(1))
    slots, outs = map(int, run.match(ROW_RE).groups()[:2])
    assert used == slots == outs == COUNT, f"expected {COUNT} slots in use, seen {used} used, row {slots}, {outs} out"
    run.match(r"^monitor: check: 0 invariant violations$")
    mismatches = int(run.match(r"^\[vm1:zipmix\] zipmix: verified \d+ pages, mismatches (\d+)$").group(1))
    assert mismatches == 0, f"expected zipmix to verify every page, seen {mismatches} mismatches"
    outs, ins = map(int, run.match(SWAP_RECLAIMED_RE).groups())
    assert outs == COUNT and ins > 0, f"expected {COUNT} pages out and some read back in, seen {outs} out, {ins} in"


def test_swap_out_refuses_bad_arguments(swap_out_run):
    run = swap_out_run
    run.match(r"^monitor: error: no VM 'nosuch' \(see vms\)$")
    bad_count = run.find(USAGE_RE + r" \(COUNT: pages, at least 1, ")
    assert len(bad_count) == 2, f"expected COUNT 0 and x refused, seen {len(bad_count)}\n{run.describe()}"
    plain = [l for l in run.lines if l == USAGE]
    assert len(plain) == 2, f"expected 'swap out zipmix' and 'swap sideways' refused with the usage, seen {plain}"


def test_swap_out_and_damage_without_a_disk_say_so(backend):
    run = backend.boot("64M", 'guests=hello:4M script="swap out hello 5;swap damage hello" script_at=vm:hello',
                       timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    said = run.find(r"^monitor: error: there is no swap disk \(tools/mkswap FILE SIZE; tools/run --swap SIZE\)$")
    assert len(said) == 2, f"expected both commands refused for want of a disk, seen {len(said)}\n{run.describe()}"


@pytest.fixture(scope="module")
def damage_run(backend):
    return backend.boot("64M", DAMAGE_RUN, timeout=by_backend(TIMEOUT, backend), run_args=("--swap", "32M"))


def test_a_page_damaged_on_disk_stops_its_vm_and_the_others_go_on(damage_run):
    run = damage_run
    assert run.status == STATUS_GUEST_STOPPED, \
        f"expected status {STATUS_GUEST_STOPPED} (a guest stopped), seen {run.status}\n{run.describe()}"
    gfn, slot = run.match(DAMAGED_RE).groups()
    run.match(rf"^memvisor: \[vm1:zipmix\] stopped: its page at gpa {int(gfn, 16) << 12:#x} came back from swap "
              rf"slot {slot} on ata0-slave different from what was written \(checksum 0x[0-9a-f]+, "
              rf"expected 0x[0-9a-f]+\)$")
    assert not run.containing("zipmix: verified"), "zipmix must not go on with a damaged page"
    mismatches = int(run.match(r"^\[vm2:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, "
                               r"mismatches (\d+)$").group(1))
    assert mismatches == 0, f"expected memtest beside it to verify every page, seen {mismatches} mismatches"
    run.match(r"^memvisor: guests: 1 ok, 0 failed, 1 stopped$")
    run.match(r"^monitor: check: 0 invariant violations$")


def test_swap_damage_refuses_bad_arguments(damage_run):
    run = damage_run
    run.match(r"^monitor: error: no VM 'nosuch' \(see vms\)$")
    run.match(r"^monitor: error: vm1 gfn 0x1ff is not swapped out$")
    run.match(USAGE_RE + r" \(GFN: decimal or 0x-hex\)$")
