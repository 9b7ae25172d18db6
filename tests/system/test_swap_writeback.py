"""Writeback (vmm/policy/writeback.c) on each backend (QEMU/SVM, Bochs/VMX):
when a VM's share of the compressed area is full, its oldest compressed
pages are decompressed and written to the swap disk, and the room goes to
new victims.

One boot: zipmix (mostly compressible pages, read back and checked) and a
memtest in guest_mem=3M, with zswap_max_pct=3 so that zipmix's share of the
area fills at once, and a swap disk. Both finish with zero mismatches; the
stats count writeback for zipmix and for the machine, and the area still
holds zipmix's pages at the end (the room went to new victims)."""
from memvisor import STATUS_OK, by_backend

RUN = ("guests=memtest:2M:passes=2,zipmix:6M:compressible=800:incompressible=60 guest_mem=3M zswap_max_pct=3 "
       "stats_interval=1000")
TIMEOUT = {"qemu": 60, "bochs": 150}

VM_RE = (r"^stats: t=\d+ vm=zipmix id=\d+ .* compressed=(\d+) compressed_bytes=(\d+) .* swapped=(\d+) "
         r"swap_outs=(\d+) swap_ins=(\d+) swap_errors=(\d+) swap_writeback=(\d+) ")
MACHINE_RE = r"^stats: t=(\d+) vm=- .* swap_writeback=(\d+) "
ANY_VM_RE = r"^stats: t=(\d+) vm=(\w+) id=\d+ .* swap_writeback=(\d+) "
DONE_RES = {
    "memtest": r"^\[vm1:memtest\] memtest: verified (\d+) pages, checksum 0x[0-9a-f]+, mismatches (\d+)$",
    "zipmix": r"^\[vm2:zipmix\] zipmix: verified (\d+) pages, mismatches (\d+)$",
}


def test_full_share_writes_the_oldest_pages_back_intact(backend):
    run = backend.boot("256M", RUN, timeout=by_backend(TIMEOUT, backend), run_args=("--swap", "32M"))
    assert run.status == STATUS_OK, f"expected status {STATUS_OK} (every guest done), seen {run.status}\n{run.describe()}"
    for name, regex in DONE_RES.items():
        bad = int(run.match(regex).group(2))
        assert bad == 0, f"expected {name} to report 0 mismatches, seen {bad}"
    vm = [tuple(map(int, m.groups())) for m in run.find(VM_RE)]
    assert vm, f"expected stats lines for zipmix with the swap keys\n{run.describe()}"
    compressed, _, _, _, _, errors, writeback = vm[-1]
    assert writeback > 0, f"expected zipmix's swap_writeback > 0 once its share was full, seen {vm[-1]}"
    assert errors == 0, f"expected no swap errors, seen {errors}"
    assert max(v[0] for v in vm) > 0, f"expected zipmix to keep compressed pages beside the written-back ones: {vm}"
    per_t = {}
    for m in run.find(ANY_VM_RE):
        per_t.setdefault(int(m.group(1)), {})[m.group(2)] = int(m.group(3))
    machine = {int(m.group(1)): int(m.group(2)) for m in run.find(MACHINE_RE)}
    both = [t for t in machine if t in per_t and len(per_t[t]) == 2]
    assert both, f"expected a stats interval with both VMs' lines and the machine's\n{run.describe()}"
    t = max(both)
    assert machine[t] == sum(per_t[t].values()), \
        f"expected the machine's swap_writeback at t={t} to be the VMs' sum {per_t[t]}, seen {machine[t]}"
    assert max(machine.values()) >= writeback, f"expected the machine's count to reach zipmix's {writeback}: {machine}"
    assert run.find(r"^memvisor: \[vm2:zipmix\] invariants ok"), f"expected zipmix's invariants checked ok\n{run.describe()}"
