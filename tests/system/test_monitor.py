"""The monitor shell on each backend (QEMU/SVM, Bochs/VMX): commands given
by script= (a person types the same at the prompt), run at vm:memtest
while memtest's PMAP still exists. Under QEMU only: a bad script point,
and commands typed at the prompt through QEMU's serial console (Bochs'
serial port is a file: nobody can type at it)."""
import re
import sys

import pytest
from memvisor import RUNNER, only_on, output_of

SCRIPT = ("vms;stats memtest;pmap memtest 0x100 2;pmap memtest 0x7fff;frame 0;check;"
          "bogus;pmap 9 1;pmap memtest zz;stop memtest;help")
SCRIPTED_CMDLINE = f'guests=memtest:8M,hello:4M script="{SCRIPT}" script_at=vm:memtest'


@pytest.fixture(scope="module")
def scripted(backend):
    return backend.boot("64M", SCRIPTED_CMDLINE)


class TestMonitorScript:
    def test_vms_lists_each_vm(self, scripted):
        rows = output_of(scripted, "vms")
        assert re.match(r"^  1\s+memtest\s+finished\s+8192\s+0\s+\d+", rows[1]), rows
        assert re.match(r"^  2\s+hello\s+", rows[2]), rows

    def test_pmap_shows_state_frame_and_nested_mapping_in_agreement(self, scripted):
        rows = output_of(scripted, "pmap memtest 0x100 2")
        assert len(rows) == 2, rows
        for row in rows:
            m = re.match(r"^monitor: vm1 gfn 0x10[01] private mfn (0x[0-9a-f]+), nested: mapped mfn (0x[0-9a-f]+) rw$", row)
            assert m and m.group(1) == m.group(2), row

    def test_pmap_of_an_untouched_frame(self, scripted):
        rows = output_of(scripted, "pmap memtest 0x7fff")
        assert rows == ["monitor: error: vm1 has gfns 0 to 0x7ff"], rows

    def test_frame_of_low_memory_has_no_users(self, scripted):
        rows = output_of(scripted, "frame 0")
        assert rows == ["monitor: mfn 0 refcount 0, in use"], rows

    def test_check_finds_no_violation(self, scripted):
        assert output_of(scripted, "check") == ["monitor: check: 0 invariant violations"]

    def test_bad_commands_get_one_line_errors(self, scripted):
        assert output_of(scripted, "bogus") == ["monitor: error: unknown command 'bogus' (try help)"]
        assert output_of(scripted, "pmap 9 1") == ["monitor: error: no VM '9' (see vms)"]
        assert output_of(scripted, "pmap memtest zz") == \
            ["monitor: error: usage: pmap VM GFN [COUNT] (numbers decimal or 0x-hex)"]
        assert output_of(scripted, "stop memtest") == ["monitor: error: vm1 is not running"]

    def test_help_lists_every_command(self, scripted):
        names = {row.split()[0] for row in output_of(scripted, "help") if row.startswith("  ") and
                 not row.startswith("  VM is")}
        assert {"help", "vms", "stats", "pmap", "frame", "check", "stop", "continue", "quit"} <= names, names

    def test_run_goes_on_after_the_script(self, scripted):
        scripted.match(r"^memvisor: guests: 2 ok, 0 failed, 0 stopped$")


# ---------------------------------------------------------------- QEMU only

@only_on("qemu")
def test_bad_script_point_is_an_option_error(backend):
    run = backend.boot("64M", 'guests=hello:4M script="vms" script_at=later')
    run.match(r"^memvisor: error: option 'script_at': expected boot, end, vm:NAME or mark:VM:N$")


@only_on("qemu")
def test_typed_commands_and_a_key_that_pauses_the_guests(backend):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(str(RUNNER), ["--emu", backend.emu, "--mem", "64M", "--timeout", "60", "--cmdline",
                                        "guests=spin:4M:ms=20000,hello:4M monitor"],
                          encoding="utf-8", timeout=30)
    child.logfile_read = sys.stdout
    try:
        child.expect(r"monitor \(guests created, none has run yet\)")
        child.expect("memvisor> ")
        child.sendline("vms")
        child.expect(r"1\s+spin\s+running")
        child.sendline("continue")
        child.expect(r"spin: spinning")
        child.sendline("")  # any key pauses the guests
        child.expect(r"monitor \(guests paused\)")
        child.expect("memvisor> ")
        child.sendline("stop spin")
        child.expect(r"\[vm1:spin\] stopped: stopped from the monitor")
        child.sendline("continue")
        child.expect(r"monitor \(every guest has ended\)")
        child.sendline("quit")
        child.expect(r"memvisor: shutdown status=6 reason=guest-stopped")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 6
