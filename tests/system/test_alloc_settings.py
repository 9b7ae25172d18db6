"""Per-VM shares, reservation and limit (guests= `shares=`, `reservation=`,
`limit=`; vmm/policy/alloc.h, vmm/policy/limit.c) on each backend
(QEMU/SVM, Bochs/VMX). A VM's resident memory is its PRIVATE and SHARED
pages: the stats lines' `granted`.

  LIMIT        a zipmix (compressible pages, a hot set, every page checked
               by the guest) with limit= well under what it touches, alone:
               it never holds more than its limit in any stats line, it did
               reach the limit (it waited there, its pages were compressed),
               and it finishes with every page verified.
  RESERVATION  the same zipmix, with shares=2, beside a hog that fills more
               than guest_mem with incompressible data: in state hard the
               clock compresses the zipmix's cold pages — without reservation= it falls far
               below 1.5 MiB (QEMU) / 512 KiB (Bochs); with it, no fall of
               its resident pages ever ends below that, and it finishes.
  STUCK        a hog with twice its limit= of incompressible data beside a
               memtest, no swap disk: the hog alone is stopped as
               thrashing at its limit, the memtest finishes.
  bad options  reservation above limit, and reservations above guest_mem:
               status 2, the option named, expected vs seen (QEMU only: the
               checks run before any backend code)."""

import pytest
from memvisor import by_backend, only_on

STATUS_BAD_OPTION = 2
PAGE_KIB = 4
STATS_RE = r"^stats: t=(\d+) vm={name} id=\d+ granted=(\d+) .* compressed=(\d+) "

# memvisor's own writes into guest memory (a hypercall's results, vm_gpa_write())
# are not held back at the limit the way the guest's faults are; one page of
# them may be new. Everything the guest touches waits at the limit.
LIMIT_SLACK_PAGES = 1
LIMIT_HEADROOM = 32  # vmm/policy/limit.c: reclaimed to this far below the limit

# (machine memory, command line, limit in KiB, timeout) per backend.
LIMIT = {"qemu": ("64M", "guests=zipmix:8M:limit=1M stats_interval=100", 1024, 60),
         "bochs": ("64M", "guests=zipmix:4M:compressible=128:incompressible=16:same=32:hot=16:limit=768K "
                   "stats_interval=300", 768, 90)}

# shares=2: reclamation takes from the VMs above their entitlement first
# (README, "Whom memory is taken from"); with few shares the zipmix is
# entitled to less than the reservation of the other run, so only the
# reservation keeps its pages there.
ZIPMIX = {"qemu": "zipmix:8M:hot_ms=3000:shares=2",
          "bochs": "zipmix:4M:compressible=128:incompressible=16:same=32:hot=16:hot_ms=6000:shares=2"}
HOG = {"qemu": "hog:32M:touch=24M:ms=3000 guest_mem=20M stats_interval=200",
       "bochs": "hog:8M:touch=4M:ms=1000 guest_mem=2M stats_interval=200"}
RESERVATION_KIB = {"qemu": 1536, "bochs": 512}


def resident(run, name):
    """[(t, granted pages, compressed pages)] of the VM's stats lines."""
    return [tuple(map(int, m.groups())) for m in run.find(STATS_RE.format(name=name))]


def reservation_run(backend, reserve):
    extra = f":reservation={by_backend(RESERVATION_KIB, backend)}K" if reserve else ""
    return backend.boot("64M", f"guests={by_backend(ZIPMIX, backend)}{extra},{by_backend(HOG, backend)}",
                        timeout=120)


@pytest.fixture(scope="module")
def limited(backend):
    mem, cmdline, _, timeout = by_backend(LIMIT, backend)
    return backend.boot(mem, cmdline, timeout=timeout)


@pytest.fixture(scope="module")
def reserved(backend):
    return reservation_run(backend, True)


@pytest.fixture(scope="module")
def unreserved(backend):
    return reservation_run(backend, False)


def assert_verified(run):
    run.match(r"^\[vm1:zipmix\] zipmix: verified \d+ pages, mismatches 0$")
    run.match(r"^memvisor: \[vm1:zipmix\] finished with status 0$")


class TestLimit:
    def test_never_holds_more_than_its_limit(self, limited):
        limit = by_backend(LIMIT, limited.backend)[2] // PAGE_KIB
        seen = resident(limited, "zipmix")
        assert seen, limited.describe()
        over = [(t, g) for t, g, _ in seen if g > limit + LIMIT_SLACK_PAGES]
        assert not over, (f"expected granted <= {limit} (+{LIMIT_SLACK_PAGES}) pages in every stats line, "
                          f"saw (t, granted) {over}\n{limited.describe()}")

    def test_the_limit_was_reached_and_enforced_by_reclaiming(self, limited):
        # Without enforcement the zipmix would simply hold all it touched.
        # The policy reclaims once it is within LIMIT_HEADROOM of its limit
        # (vmm/policy/limit.c), so it may never have to wait at the limit.
        limit = by_backend(LIMIT, limited.backend)[2] // PAGE_KIB
        seen = resident(limited, "zipmix")
        most_held, most_compressed = max(g for _, g, _ in seen), max(c for _, _, c in seen)
        assert most_held >= limit - LIMIT_HEADROOM and most_compressed > 0, (
            f"expected it to reach {limit - LIMIT_HEADROOM} pages and have pages compressed, saw at most "
            f"{most_held} held and {most_compressed} compressed\n{limited.describe()}")

    def test_finishes_with_every_page_verified(self, limited):
        assert_verified(limited)
        assert limited.final == (0, "guests-done"), limited.describe()


STUCK = {"qemu": "guests=hog:16M:touch=8M:ms=2000:limit=4M,memtest:8M:touch=2M:passes=20",
         "bochs": "guests=hog:8M:touch=2M:ms=1000:limit=1M,memtest:4M:touch=512K:passes=4"}
STUCK_LIMIT_KIB = {"qemu": 4096, "bochs": 1024}


@pytest.fixture(scope="module")
def stuck(backend):
    return backend.boot("64M", by_backend(STUCK, backend), timeout=120)


class TestWorkingSetAboveTheLimit:
    """A hog whose random (incompressible) data is twice its limit, beside a
    memtest, with no swap disk: nothing can keep it under its limit, so it
    waits there; it alone is stopped, named, and the memtest finishes."""

    def test_the_hog_alone_is_stopped_saying_its_limit(self, stuck):
        kib = by_backend(STUCK_LIMIT_KIB, stuck.backend)
        stuck.match(rf"^memvisor: \[vm1:hog\] stopped: thrashing: its working set does not fit in its limit "
                    rf"of {kib} KiB and nothing is left to reclaim$")
        stuck.match(r"^memvisor: guests: 1 ok, 0 failed, 1 stopped$")

    def test_memtest_beside_it_verifies_every_page(self, stuck):
        stuck.match(r"^\[vm2:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        stuck.match(r"^memvisor: \[vm2:memtest\] finished with status 0$")


def drops(seen):
    """[(t, granted before, granted after)] where granted fell from one stats
    line to the next while the VM ran. zipmix frees nothing itself, so a
    fall is reclamation (the VM's last line, after it ended, is dropped)."""
    running = seen[:-1]
    return [(t2, g1, g2) for (_, g1, _), (t2, g2, _) in zip(running, running[1:]) if g2 < g1]


class TestReservation:
    def test_without_a_reservation_the_hog_takes_it_below(self, unreserved):
        # The control: the scenario does reclaim from the zipmix, below the
        # size the other run reserves (it has fallen to a quarter of it).
        floor = by_backend(RESERVATION_KIB, unreserved.backend) // PAGE_KIB
        below = [d for d in drops(resident(unreserved, "zipmix")) if d[2] < floor]
        assert below, (f"expected the hog's pressure to take an unreserved zipmix below {floor} pages, "
                       f"saw falls (t, from, to) {drops(resident(unreserved, 'zipmix'))}\n{unreserved.describe()}")

    def test_is_never_reclaimed_below_its_reservation(self, reserved):
        floor = by_backend(RESERVATION_KIB, reserved.backend) // PAGE_KIB
        reserved.match(r"^memvisor: memory state soft -> hard")  # the pressure was there
        seen = resident(reserved, "zipmix")
        assert max(g for _, g, _ in seen) >= floor, f"it never held its reservation: {seen}"
        under = [d for d in drops(seen) if d[2] < floor]
        assert not under, (f"expected no fall below {floor} pages, saw (t, from, to) {under}"
                           f"\n{reserved.describe()}")

    def test_finishes_with_every_page_verified(self, reserved):
        assert_verified(reserved)
        assert not reserved.find(r"^memvisor: \[vm1:zipmix\] stopped"), reserved.describe()


# One per kind of check: one VM's settings against each other (the other
# checks of one word or one VM are tests/unit/test_alloc.c's), and the
# reservations of all against guest_mem, known only once memvisor runs.
@pytest.mark.parametrize("args, message", [
    ("zipmix:8M:reservation=4M:limit=2M", r"zipmix: reservation=4096K: expected at most the limit, 2048K$"),
    ("zipmix:8M:reservation=3M,hog:8M:reservation=2M guest_mem=4M",
     r"the reservations add up to 5120K: expected at most guest_mem, 4096K$"),
])
@only_on("qemu")
def test_bad_setting_is_a_clear_option_error(backend, args, message):
    run = backend.boot("64M", f"guests={args}")
    run.match(r"^memvisor: error: option 'guests': " + message)
    assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()
