"""fault=KIND: the exception dump and panic() as a student sees them (QEMU, BIOS).

Each kind is raised on purpose in kernel/main.c's raise_requested_fault().
The kernel prints the vector's name, error code, RIP, CR2 and registers (or
panic's file, line and message), then a frame-pointer backtrace; tools/run
adds the function and source line of each address from build/memvisor.elf.
"""
import re

import pytest
from memvisor import boot

STATUS_PANIC = 3
RAISER = "raise_requested_fault"

# kind -> (the first dump line, the CR2 it must show or None)
KINDS = {
    "pf": (r"^memvisor: exception #PF Page Fault \(vector 14\) error=0x2$", "0x0000400000000000"),
    "ud": (r"^memvisor: exception #UD Invalid Opcode \(vector 6\) error=0$", None),
    "gp": (r"^memvisor: exception #GP General Protection \(vector 13\) error=0$", None),
    "de": (r"^memvisor: exception #DE Divide Error \(vector 0\) error=0$", None),
    "panic": (r"^memvisor: panic at kernel/main\.c:\d+: fault=panic asked for a panic$", None),
}
FRAME_RE = re.compile(r"^    #(\d+) (0x[0-9a-f]{16})(?:  (\w+) \(([\w/.]+):(\d+)\))?$")


@pytest.fixture(scope="module", params=sorted(KINDS))
def faulted(request):
    return request.param, boot("qemu", "iso", "64M", f"fault={request.param}")


def frames(run):
    return [FRAME_RE.match(l) for l in run.lines if FRAME_RE.match(l)]


def test_the_fault_stops_memvisor_with_the_panic_status(faulted):
    kind, run = faulted
    assert run.status == STATUS_PANIC, f"fault={kind}: expected status {STATUS_PANIC}, seen {run.status}\n" \
                                       f"{run.describe()}"
    reason = "panic" if kind == "panic" else "exception"
    assert run.lines[-1] == f"memvisor: shutdown status={STATUS_PANIC} reason={reason}", run.describe()


def test_the_dump_names_the_fault_and_shows_the_registers(faulted):
    kind, run = faulted
    first, cr2 = KINDS[kind]
    at = run.indices(first)[0]
    dump = "\n".join(run.lines[at:])
    for register in ("RSP", "RBP", "RBX", "R12", "R15", "CR0", "CR2", "CR3", "CR4"):
        assert re.search(rf"\b{register} ?=0x[0-9a-f]+", dump), f"fault={kind}: no {register} in the dump"
    if kind != "panic":
        assert re.search(r"^  RIP=0x[0-9a-f]{16} CS=0x8 ", dump, re.M), f"fault={kind}: no RIP/CS line"
    if cr2:
        assert f"CR2={cr2}" in dump, f"fault={kind}: expected CR2={cr2}\n{dump}"


def test_the_backtrace_starts_in_the_function_that_faulted(faulted):
    kind, run = faulted
    found = frames(run)
    assert len(found) >= 2, f"fault={kind}: a backtrace of {len(found)} frames\n{run.describe()}"
    numbers = [int(m.group(1)) for m in found]
    start = 1 if kind == "panic" else 0   # an exception's #0 is the faulting RIP
    assert numbers == list(range(start, start + len(found))), f"fault={kind}: frames numbered {numbers}"
    assert all(m.group(3) for m in found), \
        f"fault={kind}: tools/run left addresses without a function: " \
        f"{[m.group(0) for m in found if not m.group(3)]}"
    first = found[0]
    assert (first.group(3), first.group(4)) == (RAISER, "kernel/main.c"), \
        f"fault={kind}: expected the first frame in {RAISER} (kernel/main.c), seen {first.group(0)}"


def test_the_backtrace_reaches_the_boot_entry(faulted):
    kind, run = faulted
    functions = [m.group(3) for m in frames(run)]
    assert "multiboot2_main" in functions, f"fault={kind}: backtrace {functions} stops before the boot path"
