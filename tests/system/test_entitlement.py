"""Whom memory is taken from: the VMs furthest above their entitlement first
(vmm/policy/entitle_vms.c, policy_reclaim_split(); README, "Whom memory is
taken from"), on each backend (QEMU/SVM, Bochs/VMX).

  SHARES  two identical zipmixes (the same mix of compressible pages, the
          same small hot set, more than fits in guest_mem together) with
          shares=2000 and shares=1000, idle_tax=0 so that only the shares
          tell them apart: under pressure, in the stats lines just before
          the first mark, the frames each is charged (policy_vm_held():
          granted less shared, plus its part of the compressed area) are
          within 10% of 2:1 — nothing is reserved, so what is split is all
          they hold. Taking a batch from each VM in turn, or from the first
          VM first, gives another split.
  IDLE    a busy zipmix (a hot set it reads again and again) listed first,
          beside an idle one of the same shares that wrote as much and then
          reads only a few pages: once sampling has told them apart, in the
          last rounds of the hot phase, nothing more is taken from the busy
          one (its swap-ins grow by at most 1/20 of its hot set) and the
          idle one has given up more of what it touched. Taking from the
          first VM first, or a batch from each in turn, takes the busy
          one's pages while in use, and they come straight back.
Each zipmix verifies every page at the end (mismatches 0)."""
import math
import re

import pytest
from memvisor import by_backend

TOLERANCE = 0.10
PAGE = 4096
VM_RE = (r"^stats: t=(\d+) vm=zipmix id=(\d+) granted=(\d+) touched=(\d+) active=\d+ shared=(\d+) "
         r".* compressed_bytes=(\d+) .* swapins=(\d+) ")
SETTLED_FRACTION = 20  # the busy VM's swap-ins may grow by 1/20 of its hot set in the window
WINDOW = 3  # stats rounds averaged before the first mark

# The zipmix of SHARES (both VMs), then guest_mem, per backend; under Bochs,
# where writing a page of text costs far more, the mix is of same-filled
# pages (compressed to one value each), and the hot phase is longer: its
# writes take most of the run. zswap_max_pct=50:
# each VM's part of the compressed area may reach half its memory, so the
# split is not cut short by the area's per-VM cap.
SHARES = {"qemu": ("zipmix:8M:compressible=1000:incompressible=0:same=0:hot=32:hot_ms=1500", "6M"),
          "bochs": ("zipmix:4M:compressible=0:incompressible=0:same=300:hot=16:hot_ms=1500", "2M")}
# (busy zipmix, its hot set, idle zipmix, guest_mem) per backend. Short
# sampling periods, as tests/system/test_active_memory.py, so the idle one is
# seen as idle within the run.
IDLE = {"qemu": ("zipmix:8M:compressible=100:incompressible=0:same=0:hot=800:hot_ms=2000", 800,
                 "zipmix:8M:compressible=1000:incompressible=0:same=0:hot=32:hot_ms=2000", "7M"),
        "bochs": ("zipmix:4M:compressible=0:incompressible=0:same=50:hot=250:hot_ms=12000", 250,
                  "zipmix:4M:compressible=0:incompressible=0:same=300:hot=16:hot_ms=12000", "2560K")}
COMMON = "zswap_max_pct=50 stats_interval=200"


@pytest.fixture(scope="module")
def shares_run(backend):
    zipmix, guest_mem = by_backend(SHARES, backend)
    return backend.boot("64M", f"guests={zipmix}:shares=2000,{zipmix}:shares=1000 guest_mem={guest_mem} "
                               f"idle_tax=0 {COMMON}", timeout=120)


@pytest.fixture(scope="module")
def idle_run(backend):
    busy, _, idle, guest_mem = by_backend(IDLE, backend)
    return backend.boot("64M", f"guests={busy},{idle} guest_mem={guest_mem} active_period_ms=100 "
                               f"active_samples=400 {COMMON}", timeout=120)


def rounds_before_first_mark(run):
    """[{vm id: (granted, touched, held, swapins)}] of the last WINDOW stats
    rounds in which both VMs printed a line, before either reached its
    mark 1 (both still in their hot phase). held: granted less shared, plus the compressed area
    pages charged to it, as policy_vm_held()."""
    first_mark = run.indices(r"^memvisor: \[vm\d:zipmix\] mark 1$")[0]
    rounds = {}
    for line in run.lines[:first_mark]:
        m = re.match(VM_RE, line)
        if m:
            t, vm, granted, touched, shared, zbytes, swapins = map(int, m.groups())
            held = granted - shared + math.ceil(zbytes / PAGE)
            rounds.setdefault(t, {})[vm] = (granted, touched, held, swapins)
    both = {t: r for t, r in rounds.items() if len(r) == 2}
    assert len(both) >= WINDOW, f"expected {WINDOW} stats rounds before the first mark, saw {both}\n{run.describe()}"
    return [both[t] for t in sorted(both)[-WINDOW:]]


def assert_both_verified(run):
    for vm in (1, 2):
        run.match(rf"^\[vm{vm}:zipmix\] zipmix: verified \d+ pages, mismatches 0$")
        run.match(rf"^memvisor: \[vm{vm}:zipmix\] finished with status 0$")


def assert_pressure_before_the_mark(run):
    """The scenario did press: memory fell to state hard before the first mark."""
    hard = run.indices(r"^memvisor: memory state soft -> hard")[0]
    mark = run.indices(r"^memvisor: \[vm\d:zipmix\] mark 1$")[0]
    assert hard < mark, f"expected state hard before the first mark (line {mark}), first at line {hard}"


class TestShares:
    def test_held_memory_settles_at_the_shares_2_to_1(self, shares_run):
        assert_pressure_before_the_mark(shares_run)
        window = rounds_before_first_mark(shares_run)
        first = sum(r[1][2] for r in window) / WINDOW
        second = sum(r[2][2] for r in window) / WINDOW
        ratio = first / second if second else math.inf
        assert abs(ratio / 2 - 1) <= TOLERANCE, (
            f"expected the VMs with shares 2000 and 1000 to hold 2:1 (within {TOLERANCE:.0%}), saw "
            f"{first:.0f} and {second:.0f} frames (ratio {ratio:.2f}); rounds {window}\n{shares_run.describe()}")

    def test_both_verify_every_page(self, shares_run):
        assert_both_verified(shares_run)


class TestIdleFirst:
    def test_the_idle_vm_gives_up_memory_and_the_busy_one_no_longer_does(self, idle_run):
        # Once sampling has seen which one is idle, nothing more is taken
        # from the busy VM: its swap-ins (pages taken while in use and
        # faulted straight back) stop growing, while the idle one holds
        # less of what it touched than the busy one.
        assert_pressure_before_the_mark(idle_run)
        hot = by_backend(IDLE, idle_run.backend)[1]
        window = rounds_before_first_mark(idle_run)
        swapins = [r[1][3] for r in window]
        busy_gave, idle_gave = (window[-1][vm][1] - window[-1][vm][0] for vm in (1, 2))
        assert swapins[-1] - swapins[0] <= hot // SETTLED_FRACTION and idle_gave > busy_gave, (
            f"expected the busy VM's swap-ins to grow by at most {hot // SETTLED_FRACTION} over the last "
            f"{WINDOW} rounds of its hot phase and the idle VM to have given up more, saw swap-ins {swapins}, "
            f"idle gave {idle_gave} pages, busy {busy_gave}\n{idle_run.describe()}")

    def test_both_verify_every_page(self, idle_run):
        assert_both_verified(idle_run)
