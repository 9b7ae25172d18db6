"""The adversarial guest (guest/attack/: one kind per VM) beside a memtest
and two twins that verify their own memory, on each backend (QEMU/SVM,
Bochs/VMX). Each attacker is either refused harmlessly — it checked every
answer and ends with status 0 — or stopped by memvisor with the reason
named here; the memtest and the twins verify every page with no mismatch,
and memvisor's own status is the one it gives for stopped guests.
`make attack` runs the same with more rounds."""
import os

import pytest
from memvisor import by_backend

# kind -> None (ends by itself, every check passed) or the stop reason.
KINDS = {
    "hypercalls": None,
    "balloon": None,
    "ports": None,
    "stringio": r"string I/O \(INS/OUTS\) on port 0x80 is not emulated \(rip=0x[0-9a-f]+\)",
    "msr": r"RDMSR of MSR 0x3a, which memvisor does not emulate \(rip=0x[0-9a-f]+\)",
    "cr": None,
    "vminsn": r"unexpected exit (VMEXIT_VMRUN|VMXON) \(code 0x[0-9a-f]+, info .*\)",
    "hlt": r"HLT with no interrupt to wake it \(rip=0x[0-9a-f]+\)",
    "exceptions": None,
    "exits": None,
    "pagetables": r"touched gpa 0x40400000 outside its 4096 KiB of memory \(rip=0x[0-9a-f]+, read\)",
    "gpa": r"touched gpa 0x4400000 outside its 4096 KiB of memory \(rip=0x[0-9a-f]+, write\)",
}
VERIFIERS = ["memtest", "twins", "twins"]
STATUS_GUEST_STOPPED = 6


def attack_cmdline():
    """Every kind once, then the verifiers; `make attack` sets ATTACK_ROUNDS
    and ATTACK_SEED for a longer, different run."""
    rounds, seed = os.environ.get("ATTACK_ROUNDS"), os.environ.get("ATTACK_SEED")
    extra = (f":rounds={rounds}" if rounds else "") + (f":seed={seed}" if seed else "")
    attackers = [f"attack:4M:kind={k}{extra}" for k in KINDS]
    verifiers = ["memtest:8M", "twins:4M", "twins:4M"]
    return "guests=" + ",".join(attackers + verifiers)


def vm_id(kind):
    return list(KINDS).index(kind) + 1


TIMEOUT = {"qemu": 60, "bochs": 120}


@pytest.fixture(scope="module")
def attacked(backend):
    return backend.boot("160M", attack_cmdline(), timeout=by_backend(TIMEOUT, backend))


class TestAttack:
    def test_memvisor_status_is_guests_stopped(self, attacked):
        stopped = sum(1 for reason in KINDS.values() if reason)
        ok = len(KINDS) - stopped + len(VERIFIERS)
        attacked.match(rf"^memvisor: guests: {ok} ok, 0 failed, {stopped} stopped$")
        assert attacked.final == (STATUS_GUEST_STOPPED, "guest-stopped"), attacked.describe()
        assert attacked.status == STATUS_GUEST_STOPPED, attacked.describe()

    def test_refused_attackers_checked_every_answer(self, attacked):
        bad = []
        for kind, reason in KINDS.items():
            if reason:
                continue
            n = vm_id(kind)
            m = attacked.find(rf"^\[vm{n}:attack\] attack: kind={kind}: (\d+) checks, (\d+) failed$")
            if not m or m[0].group(2) != "0" or int(m[0].group(1)) == 0:
                bad.append(f"{kind}: {m[0].group(0) if m else 'no summary line'}")
            if not attacked.find(rf"^memvisor: \[vm{n}:attack\] finished with status 0$"):
                bad.append(f"{kind}: did not finish with status 0")
        assert not bad, "\n".join(bad) + f"\n{attacked.describe()}"

    def test_stopped_attackers_are_named_with_their_reason(self, attacked):
        bad = []
        for kind, reason in KINDS.items():
            if not reason:
                continue
            n = vm_id(kind)
            if not attacked.find(rf"^memvisor: \[vm{n}:attack\] stopped: {reason}$"):
                seen = attacked.find(rf"^memvisor: \[vm{n}:attack\] (stopped|finished).*$")
                bad.append(f"{kind}: expected 'stopped: {reason}', saw {seen[0].group(0) if seen else 'nothing'}")
        assert not bad, "\n".join(bad) + f"\n{attacked.describe()}"

    def test_the_verifiers_verify_every_page(self, attacked):
        first = len(KINDS) + 1
        attacked.match(rf"^\[vm{first}:memtest\] memtest: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        for n in (first + 1, first + 2):
            attacked.match(rf"^\[vm{n}:twins\] twins: verified \d+ pages, checksum 0x[0-9a-f]+, mismatches 0$")
        for n, name in enumerate(VERIFIERS, first):
            attacked.match(rf"^memvisor: \[vm{n}:{name}\] finished with status 0$")
        assert not attacked.find(r"^\[vm\d+:(memtest|twins)\] .*mismatches [1-9]"), attacked.describe()

    def test_no_invariant_broke_and_the_host_kept_its_registers(self, attacked):
        released = attacked.find(r"^memvisor: \[vm\d+:\w+\] invariants ok; released")
        assert len(released) == len(KINDS) + len(VERIFIERS), attacked.describe()
        attacked.match(r"^memvisor: host registers as at boot")
