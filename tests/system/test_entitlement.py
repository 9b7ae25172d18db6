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
          reads only a few pages: the idle one gives up more of what it
          touched than the busy one, and the busy one keeps its hot set
          resident (taking from the first VM first would take it from the
          busy one, whose pages then come straight back).
Each zipmix verifies every page at the end (mismatches 0)."""
import math
import re

import pytest
from memvisor import by_backend

TOLERANCE = 0.10
PAGE = 4096
VM_RE = (r"^stats: t=(\d+) vm=zipmix id=(\d+) granted=(\d+) touched=(\d+) active=\d+ shared=(\d+) "
         r".* compressed_bytes=(\d+) ")
WINDOW = 3  # stats rounds averaged before the first mark

# The zipmix of SHARES (both VMs), then guest_mem, per backend. zswap_max_pct=50:
# each VM's part of the compressed area may reach half its memory, so the
# split is not cut short by the area's per-VM cap.
SHARES = {"qemu": ("zipmix:8M:compressible=1000:incompressible=0:same=0:hot=32:hot_ms=1500", "6M"),
          "bochs": ("zipmix:4M:compressible=500:incompressible=0:same=0:hot=16:hot_ms=1500", "3M")}
# (busy zipmix, its hot set, idle zipmix, guest_mem) per backend. Short
# sampling periods, as tests/system/test_active_memory.py, so the idle one is
# seen as idle within the run.
IDLE = {"qemu": ("zipmix:8M:compressible=100:incompressible=0:same=0:hot=800:hot_ms=2000", 800,
                 "zipmix:8M:compressible=1000:incompressible=0:same=0:hot=32:hot_ms=2000", "7M"),
        "bochs": ("zipmix:4M:compressible=200:incompressible=0:same=0:hot=300:hot_ms=2000", 300,
                  "zipmix:4M:compressible=500:incompressible=0:same=0:hot=16:hot_ms=2000", "3M")}
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
    """{t: {vm id: (granted, touched, held)}} of the stats rounds in which both
    VMs printed a line, before either reached its mark 1 (both still in
    their hot phase). held: granted less shared, plus the compressed area
    pages charged to it, as policy_vm_held()."""
    first_mark = run.indices(r"^memvisor: \[vm\d:zipmix\] mark 1$")[0]
    rounds = {}
    for line in run.lines[:first_mark]:
        m = re.match(VM_RE, line)
        if m:
            t, vm, granted, touched, shared, zbytes = map(int, m.groups())
            rounds.setdefault(t, {})[vm] = (granted, touched, granted - shared + math.ceil(zbytes / PAGE))
    both = {t: r for t, r in rounds.items() if len(r) == 2}
    assert len(both) >= WINDOW, f"expected {WINDOW} stats rounds before the first mark, saw {both}\n{run.describe()}"
    return [both[t] for t in sorted(both)[-WINDOW:]]


def assert_both_verified(run):
    for vm in (1, 2):
        run.match(rf"^\[vm{vm}:zipmix\] zipmix: verified \d+ pages, mismatches 0$")
        run.match(rf"^memvisor: \[vm{vm}:zipmix\] finished with status 0$")


class TestShares:
    def test_there_was_pressure(self, shares_run):
        shares_run.match(r"^memvisor: memory state soft -> hard")

    def test_held_memory_settles_at_the_shares_2_to_1(self, shares_run):
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
    def test_there_was_pressure(self, idle_run):
        idle_run.match(r"^memvisor: memory state soft -> hard")

    def test_the_idle_vm_gives_up_more_than_the_busy_one(self, idle_run):
        granted, touched, _ = rounds_before_first_mark(idle_run)[-1][2]
        idle_gave = touched - granted
        granted, touched, _ = rounds_before_first_mark(idle_run)[-1][1]
        busy_gave = touched - granted
        assert idle_gave > busy_gave, (
            f"expected the idle VM (vm2) to give up more of what it touched than the busy one (vm1), saw "
            f"idle {idle_gave} pages, busy {busy_gave}\n{idle_run.describe()}")

    def test_the_busy_vm_keeps_its_hot_set(self, idle_run):
        hot = by_backend(IDLE, idle_run.backend)[1]
        granted = [r[1][0] for r in rounds_before_first_mark(idle_run)]
        assert min(granted) >= hot, (
            f"expected the busy VM to keep at least its {hot} hot pages resident, saw granted {granted} "
            f"in the last rounds of its hot phase\n{idle_run.describe()}")

    def test_both_verify_every_page(self, idle_run):
        assert_both_verified(idle_run)
