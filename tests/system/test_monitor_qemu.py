"""The monitor shell: commands given by script= (as Bochs runs must) and
typed at the prompt (QEMU's serial console through tools/run)."""
import sys

import pytest
from conftest import RUNNER, boot
from monitor_checks import SCRIPTED_CMDLINE, MonitorScriptScenario


@pytest.fixture(scope="module")
def scripted():
    return boot("qemu", "iso", "64M", SCRIPTED_CMDLINE)


class TestMonitorScriptSvm(MonitorScriptScenario):
    pass


def test_bad_script_point_is_an_option_error():
    run = boot("qemu", "iso", "64M", 'guests=hello:4M script="vms" script_at=later')
    run.match(r"^memvisor: error: option 'script_at': expected boot, end, vm:NAME or mark:VM:N$")


def test_typed_commands_and_a_key_that_pauses_the_guests():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(str(RUNNER), ["--emu", "qemu", "--mem", "64M", "--timeout", "60", "--cmdline",
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
