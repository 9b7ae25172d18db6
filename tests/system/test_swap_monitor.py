"""The monitor's `swap out VM COUNT` (vmm/swap/out_now.c) on each backend
(QEMU/SVM, Bochs/VMX): in the middle of zipmix's run (its first HC_MARK),
200 of its pages go to the swap disk at once; `swap` shows them in use,
the invariant checker finds nothing wrong, and zipmix then reads every page
back through the fault path and verifies it. A bad VM, a bad COUNT or a
missing COUNT is a usage error; without a swap disk the command says so."""
import pytest
from memvisor import STATUS_OK, SWAP_RECLAIMED_RE, by_backend

COUNT = 200
SCRIPT = (f"swap out zipmix {COUNT};swap;check;swap out nosuch 5;swap out zipmix 0;swap out zipmix x;"
          "swap out zipmix;swap sideways")
RUN = f'guests=zipmix:8M script="{SCRIPT}" script_at=mark:zipmix:1'
TIMEOUT = {"qemu": 60, "bochs": 120}

OUT_RE = (r"^monitor: swap out vm1: (\d+) of (\d+) pages written to ata0-slave \(lowest private gfns first\), "
          r"(\d+) write errors$")
HEAD_RE = r"^swap: ata0-slave, (\d+) of \d+ slots used, 0 retired after a failed write, 0 errors$"
ROW_RE = r"^  vm1 zipmix\s+(\d+) slots\s+(\d+) out\s+(\d+) in\s+(\d+) errors$"
USAGE = "monitor: error: usage: swap [out VM COUNT]"


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
    bad_count = run.find(r"^monitor: error: usage: swap \[out VM COUNT\] \(COUNT: pages, at least 1, ")
    assert len(bad_count) == 2, f"expected COUNT 0 and x refused, seen {len(bad_count)}\n{run.describe()}"
    plain = [l for l in run.lines if l == USAGE]
    assert len(plain) == 2, f"expected 'swap out zipmix' and 'swap sideways' refused with the usage, seen {plain}"


def test_swap_out_without_a_disk_says_so(backend):
    run = backend.boot("64M", 'guests=hello:4M script="swap out hello 5" script_at=vm:hello',
                       timeout=by_backend(TIMEOUT, backend))
    assert run.status == STATUS_OK, f"expected status {STATUS_OK}, seen {run.status}\n{run.describe()}"
    run.match(r"^monitor: error: there is no swap disk \(tools/mkswap FILE SIZE; tools/run --swap SIZE\)$")
