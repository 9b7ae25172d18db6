"""Hostile guests against host swap, beside a memtest, on each backend
(QEMU/SVM, Bochs/VMX). Two attackers (guest/attack/) and a memtest; when
the balloon attacker reaches its mark (before its last batches), a monitor
script swaps out every resident private page of both attackers — their
code, stacks, page tables, hypercall argument pages and the page the
balloon attacker is about to give. Then:
  - the balloon attacker's batch, a hypercall argument now on disk, is read
    where it lies (swap_read(): "read in place"), and the page it gives,
    SWAPPED, is taken by the balloon (its slot freed: "dropped");
  - the hypercall attacker's hypercalls that write into its own pages
    bring them back from disk first;
  - every answer both attackers check is still the promised one, memtest
    verifies every page, and no invariant is broken."""
import pytest
from memvisor import STATUS_OK, by_backend

GUESTS = "attack:4M:kind=hypercalls:rounds=40000,attack:4M:kind=balloon,memtest:4M:passes=4"
SCRIPT = "swap out 1 4096;swap out 2 4096;check"
RUN = f'guests={GUESTS} script="{SCRIPT}" script_at=mark:2:1'
TIMEOUT = {"qemu": 60, "bochs": 150}

OUT_RE = (r"^monitor: swap out vm(\d): (\d+) of 4096 pages written to ata0-slave \(lowest private gfns first\), "
          r"0 write errors; no private page left$")
SWAP_LINE_RE = (r"^memvisor: vm(\d) attack\s+swap: (\d+) out, (\d+) in, 0 written back from the area, (\d+) read in "
                r"place, (\d+) dropped by the balloon, 0 errors$")
CHECKS_RE = r"^\[vm(\d):attack\] attack: kind=(\w+): (\d+) checks, (\d+) failed$"
MEMTEST_RE = r"^\[vm3:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$"


@pytest.fixture(scope="module")
def attacked(backend):
    return backend.boot("128M", RUN, timeout=by_backend(TIMEOUT, backend), run_args=("--swap", "32M"))


def test_attackers_with_pages_on_disk_get_promised_answers(attacked):
    run = attacked
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    outs = {m.group(1): int(m.group(2)) for m in run.find(OUT_RE)}
    assert set(outs) == {"1", "2"} and all(n > 0 for n in outs.values()), \
        f"expected both attackers' pages swapped out by the script, seen {outs}\n{run.describe()}"
    run.match(r"^monitor: check: 0 invariant violations$")
    checks = {m.group(2): (int(m.group(3)), int(m.group(4))) for m in run.find(CHECKS_RE)}
    assert set(checks) == {"hypercalls", "balloon"}, f"expected both attackers to finish, seen {checks}"
    for kind, (n, failed) in checks.items():
        assert n > 0 and failed == 0, f"expected every {kind} check to pass, seen {n} checks, {failed} failed"
    mismatches = int(run.match(MEMTEST_RE).group(2))
    assert mismatches == 0, f"expected memtest to verify every page, seen {mismatches} mismatches"
    assert len(run.find(r"^memvisor: \[vm\d:\w+\] invariants ok; released ")) == 3, \
        f"expected every VM's invariants checked ok at its end\n{run.describe()}"


def test_arguments_on_disk_are_read_in_place_and_the_balloon_drops_swapped_pages(attacked):
    run = attacked
    swap = {m.group(1): tuple(map(int, m.groups()[1:])) for m in run.find(SWAP_LINE_RE)}
    assert set(swap) == {"1", "2"}, f"expected a swap line for each attacker, seen {swap}\n{run.describe()}"
    out, ins, read, dropped = swap["2"]
    assert read >= 1, f"expected the balloon attacker's batch read from disk in place, seen {swap['2']}"
    assert dropped >= 1, f"expected the page it gave taken while on disk, seen {swap['2']}"
    assert ins >= 1, f"expected its code and data to come back from disk, seen {swap['2']}"
    assert swap["1"][1] >= 1, f"expected the hypercall attacker's pages to come back from disk, seen {swap['1']}"
