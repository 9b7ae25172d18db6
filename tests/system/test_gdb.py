"""The gdb helpers (tools/gdb/memvisor.py) checked against the guest's own view.

One boot of memtest under QEMU's gdb stub (tools/run --gdb-port, a free port so
parallel runs do not collide). A batch gdb loads tools/gdb/memvisor.gdb (as
`make debug` does), stops once inside the guest and once in the hypervisor at
vm_finish for memtest (its pages are touched, the VM not yet released), and runs
the mv-* commands. The checks compare their output with what memtest printed
itself — the gpa of its first test page, from its own page tables — and with
each other: the walk's mpa is the mfn mv-pmap shows, and the nested tables agree
with the PMAP.
"""

import re
import socket
import subprocess
from dataclasses import dataclass

import pytest

from memvisor import LOG_DIR, ROOT, RUNNER, kernel_lines, stop_runner

CMDLINE = "guests=memtest:8M:touch=1M"
MEMTEST_PAGES = 8 * 2**20 // 4096
MEMTEST_GVA = 0x400000000000        # guest/memtest/main.c MEMTEST_GVA
IDENTITY_GVA = 0x200123             # the runtime maps its RAM with gva == gpa (paging.h)
UNMAPPED_GVA = 0x300000000000       # PML4 slot 96: nothing maps it
GDB_TIMEOUT_S = 30
RUNNER_EXIT_TIMEOUT_S = 15
PORT_ATTEMPTS = 3
MARK = "@@mv-test "                 # gdb echoes this before each step

FIRST_PAGE_RE = re.compile(r"^\[vm\d+:memtest\] memtest: first page gva 0x([0-9a-f]+) gpa 0x([0-9a-f]+)$")
HEX = r"0x[0-9a-f]+"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def guest_symbol(name):
    """Address of a symbol in the memtest guest ELF."""
    out = subprocess.run(["nm", str(ROOT / "build" / "guests" / "memtest.elf")],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(rf"^([0-9a-f]+) [Tt] {name}$", out, re.MULTILINE)
    assert m, f"memtest.elf has no symbol {name}"
    return int(m.group(1), 16)


def gdb_batch(port, guest_symbols=""):
    """gdb -batch as `make debug` starts gdb: memvisor.gdb (stopped at
    kernel_main) on the stub at `port`, with GUEST_SYMBOLS' guests."""
    return ["gdb", "-q", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set width 0",
            "-ex", f"set $mv_gdb_port = {port}", "-ex", f'set $mv_guest_symbols = "{guest_symbols}"',
            "-x", "tools/gdb/memvisor.gdb"]


def gdb_command(port):
    """gdb -batch: the make-debug script, then the steps, each after a marker."""
    steps = [
        ("in-guest", [f"hbreak *{guest_symbol('main'):#x} if !$mv_in_host()", "continue",
                      "print $mv_in_host()", "mv-vms", "delete"]),
        ("at-vm-finish", ["hbreak vm_finish if $mv_in_host() && vm->id == 1", "continue",
                          "print $mv_in_host()"]),
        ("mv-vms", ["mv-vms"]),
        ("mv-walk", [f"mv-walk 1 {MEMTEST_GVA:#x}"]),
        ("mv-pmap", ["mv-pmap 1 $mv_gfn"]),
        # At vm_finish(vm): the VM as an expression, its id or its struct vm *.
        ("mv-pmap-vm-id", ["mv-pmap vm->id $mv_gfn"]),
        ("mv-pmap-vm-pointer", ["mv-pmap vm $mv_gfn"]),
        # A frame number that is a struct (mfn_t, gfn_t) is refused with the .raw hint.
        ("mv-pmap-struct-gfn", ["mv-pmap 1 vm->npt.root"]),
        ("mv-walk-identity", [f"mv-walk memtest {IDENTITY_GVA:#x}"]),
        ("mv-walk-unmapped", [f"mv-walk vm1 {UNMAPPED_GVA:#x}"]),
        ("mv-stats", ["mv-stats"]),
        ("help", ["help mv-walk"]),
    ]
    cmd = gdb_batch(port)
    for name, commands in steps:
        cmd += ["-ex", f"echo \\n{MARK}{name}\\n"]
        for command in commands:
            cmd += ["-ex", command]
    return cmd


@dataclass
class Session:
    """What one debugging session showed: gdb's transcript by step, the console."""
    sections: dict
    transcript: str
    console: list
    runner_status: int
    runner_stderr: str
    gdb_status: int
    log_name: str

    def describe(self):
        tail = "\n".join(f"    {l}" for l in self.console[-15:])
        return (f"gdb exited {self.gdb_status}, tools/run {self.runner_status}; "
                f"logs: build/test-logs/{self.log_name}.gdb.txt and .log\n"
                f"  runner stderr:\n    {self.runner_stderr.strip() or '(empty)'}\n"
                f"  last console lines:\n{tail}")

    def section(self, name):
        assert name in self.sections, f"gdb never reached step {name!r}\n{self.describe()}\n" \
                                      f"gdb transcript:\n{self.transcript[-3000:]}"
        return self.sections[name]


def split_sections(transcript):
    sections, name = {"start": []}, "start"
    for line in transcript.splitlines():
        if line.startswith(MARK):
            name = line[len(MARK):].strip()
            sections[name] = []
        else:
            sections[name].append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def debug_once(port, log_name):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{log_name}.log"
    runner = subprocess.Popen([str(RUNNER), "--gdb-port", str(port), "--quiet", "--log",
                               str(log_path), "--cmdline", CMDLINE],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        done = subprocess.run(gdb_command(port), cwd=ROOT, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=GDB_TIMEOUT_S)
        gdb_status, transcript = done.returncode, done.stdout
        # gdb -batch detaches at the end: memvisor runs on and shuts down.
        try:
            runner.wait(timeout=RUNNER_EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
    except subprocess.TimeoutExpired as e:
        gdb_status = "timeout"
        transcript = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
    finally:
        stop_runner(runner)
    (LOG_DIR / f"{log_name}.gdb.txt").write_text(transcript)
    console = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    return Session(split_sections(transcript), transcript, kernel_lines(console),
                   runner.returncode, runner.stderr.read(), gdb_status, log_name)


@pytest.fixture(scope="module")
def session():
    for _ in range(PORT_ATTEMPTS):
        result = debug_once(free_port(), "gdb-qemu-memtest")
        # Another program may have taken the port between free_port() and QEMU.
        if "Address already in use" not in result.runner_stderr:
            return result
    return result


# ---------------------------------------------------------------- helpers

def first_page(session):
    """(gva, gpa) of memtest's first test page, as memtest printed it."""
    found = [m for m in (FIRST_PAGE_RE.match(l) for l in session.console) if m]
    assert found, f"memtest printed no 'first page gva ... gpa ...' line\n{session.describe()}"
    return int(found[0].group(1), 16), int(found[0].group(2), 16)


def walk_result(session, step):
    """(gva, gpa, mpa) from mv-walk's 'result:' line."""
    text = session.section(step)
    m = re.search(rf"^result: gva ({HEX}) -> gpa ({HEX}) -> mpa ({HEX})$", text, re.MULTILINE)
    assert m, f"mv-walk printed no 'result: gva ... -> gpa ... -> mpa ...' line:\n{text}"
    return tuple(int(g, 16) for g in m.groups())


# ---------------------------------------------------------------- tests

def test_session_stopped_in_vm_finish_and_memtest_passed(session):
    text = session.section("at-vm-finish")
    assert re.search(r"Breakpoint \d+, vm_finish \(vm=", text), \
        f"expected a stop at vm_finish, gdb printed:\n{text}\n{session.describe()}"
    assert re.search(r"^\$\d+ = 1$", text, re.MULTILINE), \
        f"expected $mv_in_host() = 1 at vm_finish, gdb printed:\n{text}"
    assert session.runner_status == 0, f"expected the run to end with status 0 after gdb " \
                                       f"detached\n{session.describe()}"


def test_helpers_refuse_to_read_while_stopped_inside_a_guest(session):
    text = session.section("in-guest")
    assert re.search(r"^\$\d+ = 0$", text, re.MULTILINE), \
        f"expected $mv_in_host() = 0 inside the guest, gdb printed:\n{text}"
    assert "Stop the CPU in memvisor after boot" in text and "hbreak exit_dispatch" in text, \
        f"expected mv-vms to say where to stop instead, gdb printed:\n{text}"
    assert "VM_RUNNABLE" not in text, f"mv-vms printed a table from a guest's memory:\n{text}"


def test_mv_vms_lists_memtest_with_its_pmap_and_exits(session):
    text = session.section("mv-vms")
    m = re.search(rf"^\s*1\s+memtest\s+VM_RUNNABLE\s+8192 KiB\s+({HEX})$", text, re.MULTILINE)
    assert m, f"expected a row '1 memtest VM_RUNNABLE 8192 KiB <last_cr3>', gdb printed:\n{text}"
    assert int(m.group(1), 16) != 0, f"last_cr3 is 0 after memtest ran with paging:\n{text}"
    rows = re.findall(r"^\s*1((?:\s+\d+)+)$", text, re.MULTILINE)
    assert len(rows) == 2, f"expected a PMAP row and an exits row for vm 1:\n{text}"
    pmap_counts = [int(x) for x in rows[0].split()]
    assert sum(pmap_counts) == MEMTEST_PAGES, \
        f"PMAP counts {pmap_counts} sum to {sum(pmap_counts)}, expected {MEMTEST_PAGES} gfns"


def test_mv_walk_reaches_the_gpa_memtest_printed(session):
    gva, gpa_seen_by_guest = first_page(session)
    assert gva == MEMTEST_GVA, f"memtest's first page: expected gva {MEMTEST_GVA:#x}, seen {gva:#x}"
    text = session.section("mv-walk")
    for level in ("PML4E", "PDPTE", "PDE", "PTE"):
        assert re.search(rf"^{level}\s+\d+\s+{HEX}\s+{HEX}\s+0x[0-9a-f]{{16}}\s", text,
                         re.MULTILINE), f"mv-walk printed no {level} row:\n{text}"
    _, gpa, _ = walk_result(session, "mv-walk")
    assert gpa == gpa_seen_by_guest, \
        f"gva {MEMTEST_GVA:#x}: expected gpa {gpa_seen_by_guest:#x} (memtest's own tables), " \
        f"mv-walk found {gpa:#x}\n{text}"


def test_mv_walk_mpa_is_the_mfn_mv_pmap_shows(session):
    _, gpa, mpa = walk_result(session, "mv-walk")
    text = session.section("mv-pmap")
    gfn = gpa >> 12
    m = re.search(rf"^{gfn:#x}\s+{gpa:#x}\s+{HEX}\s+(\S+)\s+mfn ({HEX})\s+({HEX})\s+({HEX})\s+"
                  rf"(\S+)\s+(.*)$", text, re.MULTILINE)
    assert m, f"mv-pmap printed no row for gfn {gfn:#x} with an mfn:\n{text}"
    state, pmap_mfn, nested_mfn, verdict = m.group(1), int(m.group(2), 16), \
        int(m.group(4), 16), m.group(6)
    assert state == "private", f"gfn {gfn:#x}: expected PMAP state private, seen {state}"
    assert pmap_mfn << 12 == mpa, \
        f"gfn {gfn:#x}: mv-walk's mpa {mpa:#x} != mv-pmap's mfn {pmap_mfn:#x} << 12"
    assert nested_mfn == pmap_mfn and verdict == "agree", \
        f"gfn {gfn:#x}: expected the nested tables to agree with PMAP mfn {pmap_mfn:#x}, " \
        f"seen nested mfn {nested_mfn:#x}, verdict {verdict!r}"


@pytest.mark.parametrize("step", ["mv-pmap-vm-id", "mv-pmap-vm-pointer"])
def test_mv_pmap_takes_an_expression_for_the_vm(session, step):
    expected = session.section("mv-pmap").strip()
    seen = session.section(step).strip()
    assert expected.startswith("vm1 (memtest): PMAP entries"), f"mv-pmap 1 printed:\n{expected}"
    assert seen == expected, f"{step}: expected the same rows as 'mv-pmap 1 $mv_gfn':\n{expected}\nseen:\n{seen}"


def test_a_struct_frame_number_is_refused_with_the_raw_hint(session):
    text = session.section("mv-pmap-struct-gfn")
    expected = "GFN 'vm->npt.root' is a mfn_t, not a number: write vm->npt.root.raw"
    assert expected in text, f"expected '{expected}', gdb printed:\n{text}"


def test_mv_walk_nested_tables_agree_with_the_pmap(session):
    text = session.section("mv-walk")
    _, gpa, mpa = walk_result(session, "mv-walk")
    m = re.search(rf"^nested: gpa {gpa:#x} \(gfn {HEX}\) -> mpa ({HEX})", text, re.MULTILINE)
    assert m, f"mv-walk printed no nested translation for gpa {gpa:#x}:\n{text}"
    assert int(m.group(1), 16) == mpa, \
        f"gpa {gpa:#x}: PMAP gives mpa {mpa:#x}, nested tables {m.group(1)}"
    assert re.search(r"^PMAP vs nested: agree$", text, re.MULTILINE), \
        f"expected 'PMAP vs nested: agree':\n{text}"


def test_mv_walk_identity_mapped_gva_equals_gpa(session):
    gva, gpa, mpa = walk_result(session, "mv-walk-identity")
    assert (gva, gpa) == (IDENTITY_GVA, IDENTITY_GVA), \
        f"expected gva {IDENTITY_GVA:#x} -> gpa {IDENTITY_GVA:#x}, seen {gva:#x} -> {gpa:#x}"
    assert mpa & 0xfff == IDENTITY_GVA & 0xfff, f"page offset lost: mpa {mpa:#x}"
    text = session.section("mv-walk-identity")
    m = re.search(rf"^nested: gpa {gpa:#x} \(gfn {HEX}\) -> mpa ({HEX})", text, re.MULTILINE)
    assert m and int(m.group(1), 16) == mpa, \
        f"expected the nested tables to give mpa {mpa:#x} as the PMAP does:\n{text}"


def test_mv_walk_says_where_an_unmapped_gva_stops(session):
    text = session.section("mv-walk-unmapped")
    expected = f"walk stops at PML4E (index {UNMAPPED_GVA >> 39 & 511}): entry 0x0 is not present"
    assert expected in text, f"expected {expected!r}, mv-walk printed:\n{text}"
    assert "result:" not in text, f"an unmapped gva produced a result:\n{text}"


def test_mv_stats_shows_free_frames_and_vm_stats(session):
    text = session.section("mv-stats")
    m = re.search(r"^machine frames: (\d+) free of (\d+) usable", text, re.MULTILINE)
    assert m and 0 < int(m.group(1)) <= int(m.group(2)), \
        f"expected 'machine frames: FREE free of USABLE usable' with 0 < FREE <= USABLE:\n{text}"
    for row in ("npf", "demand_zero", "exits npf"):
        assert re.search(rf"^{row}\s+\d+$", text, re.MULTILINE), f"no {row!r} row:\n{text}"


def test_help_documents_mv_walk(session):
    text = session.section("help")
    assert "Usage: mv-walk VM GVA" in text, f"help mv-walk printed:\n{text}"


def test_nested_entry_decoding_for_both_backends():
    """EPT (bits 2:0 = R/W/X) and NPT (x86-64 PTE) leaves decode as the SDM/APM say;
    no emulator needed (Bochs, which runs VMX here, has no gdb stub)."""
    ept_leaf = 0x1234000 | 0b111 | (6 << 3) | (1 << 8)      # R W X, memory type WB, accessed
    npt_leaf = 0x1234000 | 0x67                               # P W U A D
    npt_read_only = 0x1234000 | 0x5 | (1 << 63)               # P U NX
    probes = [
        ("ept", f"NestedFormat('vmx').rights({ept_leaf}), NestedFormat('vmx').flags({ept_leaf}, True)"),
        ("ept-write-only", "NestedFormat('vmx').present(0x1234002), NestedFormat('vmx').rights(0x1234002)"),
        ("ept-none", "NestedFormat('vmx').present(0x1234000)"),
        ("npt", f"NestedFormat('svm').rights({npt_leaf}), NestedFormat('svm').flags({npt_leaf}, True)"),
        ("npt-read-only", f"NestedFormat('svm').rights({npt_read_only})"),
    ]
    cmd = ["gdb", "-q", "-batch", "-nx", "-ex", "source tools/gdb/memvisor.py"]
    for name, expression in probes:
        cmd += ["-ex", f"python print('{name}:', *[{expression}])"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    expected = ["ept: rwx R W X A MT=WB", "ept-write-only: True -w-", "ept-none: False",
                "npt: rwx P W U A D", "npt-read-only: r--"]
    seen = [l for l in done.stdout.splitlines() if l.split(":")[0] in dict(probes)]
    assert seen == expected, f"expected {expected}\nseen     {seen}\n{done.stdout}{done.stderr}"
