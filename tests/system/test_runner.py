"""tools/run itself: usage errors, the KVM check, the timeout path, Bochs
without a network port, and whose status line counts (fake emulators: no boot)."""
import os
import socket
import subprocess
from pathlib import Path

import pytest
from memvisor import RUNNER, run_tool

EXIT_USAGE, EXIT_NO_KVM, EXIT_TIMEOUT = 2, 69, 124


def host_offers_virtualisation():
    text = Path("/proc/cpuinfo").read_text()
    return any(flag in line.split() for line in text.splitlines()
               if line.startswith("flags") for flag in ("vmx", "svm"))


def test_bad_mem_size_is_a_usage_error():
    done = run_tool("--mem", "12Q")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "argument --mem: '12Q'" in done.stderr


def test_mem_must_be_whole_mib():
    done = run_tool("--mem", "1500K")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "whole" in done.stderr


def test_efi_image_needs_ovmf():
    done = run_tool("--emu", "qemu", "--image", "efi")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "--image efi" in done.stderr and "--emu ovmf" in done.stderr


def test_unknown_bochs_cpu_model_is_a_usage_error():
    done = run_tool("--emu", "bochs", "--cpu", "no_such_cpu")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "no_such_cpu" in done.stderr and "corei7_skylake_x" in done.stderr


@pytest.mark.parametrize("cmdline", ["a#b", "x=%path%", "a|b", 'q="open'])
def test_efi_cmdline_refuses_what_the_uefi_shell_would_change(cmdline):
    done = run_tool("--emu", "ovmf", "--image", "efi", "--cmdline", cmdline)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "argument --cmdline" in done.stderr


def test_cmdline_too_long_for_the_iso_slot():
    done = run_tool("--cmdline", "x" * 5000)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "too long" in done.stderr


@pytest.mark.skipif(host_offers_virtualisation(),
                    reason="this machine offers VMX/SVM: --emu kvm may work here")
def test_kvm_without_vmx_or_svm_says_what_is_missing():
    done = run_tool("--emu", "kvm")
    assert done.returncode == EXIT_NO_KVM, done.stderr
    assert "neither vmx nor svm" in done.stderr
    for module in ("kvm_intel", "kvm_amd"):  # the exact commands, for Intel and for AMD hosts
        want = f"`echo 'options {module} nested=1' | sudo tee /etc/modprobe.d/kvm-nested.conf`"
        assert want in done.stderr, f"expected {want!r} in:\n{done.stderr}"
        assert f"`sudo modprobe -r {module} && sudo modprobe {module}`" in done.stderr, done.stderr


def test_timeout_stops_the_emulator_and_returns_124():
    done = run_tool("--timeout", "0.3", "--quiet")
    assert done.returncode == EXIT_TIMEOUT, done.stderr
    assert "run: timeout after 0.3 s" in done.stderr


def test_bochs_needs_no_network_port(tmp_path):
    """Bochs' VNC display binds one of ports 5900-5949 and panics when all are
    taken: the runner gives Bochs a terminal display instead. Held here: every
    one of those ports this test can take."""
    held = []
    try:
        for port in range(5900, 5950):
            sock = socket.socket()
            try:
                sock.bind(("0.0.0.0", port))
                sock.listen()
                held.append(sock)
            except OSError:          # someone else holds it: as good for this test
                sock.close()
        done = run_tool("--emu", "bochs", "--mem", "64M", "--quiet", "--timeout", "60",
                        "--cmdline", "guests=hello:4M", timeout=120)
    finally:
        for sock in held:
            sock.close()
    assert done.returncode == 0, \
        f"expected status 0 with ports 5900-5949 taken, seen {done.returncode}\n{done.stderr}"


# ---------------------------------------------------------------- whose status counts
#
# Fake emulators on PATH stand in for QEMU and Bochs: each prints a given
# serial console and gives a given device status (QEMU: its exit code, as
# isa-debug-exit makes it; Bochs: a line on its stdout, as port_e9_hack
# prints what memvisor writes to port 0xe9). No real boot: the runner's own
# decision is what is tested.

EXIT_STATUS_MISMATCH, EXIT_NO_STATUS = 123, 125
BOOT = "memvisor: boot=multiboot2/bios cmdline=''\n"
FORGED = "[vm1:badcall] memvisor: shutdown status=0 reason=guests-done\n"

FAKE_EMULATOR = """#!/usr/bin/python3
import os, sys
if sys.argv[1:] == ["--help", "cpu"]:
    print("Supported CPU models:\\ncorei7_skylake_x\\n")
    sys.exit(0)
console = os.environ["FAKE_CONSOLE"].encode()
if os.path.basename(sys.argv[0]) == "bochs":
    open("serial.txt", "wb").write(console)
    sys.stdout.write("<bochs:1> " + os.environ.get("FAKE_E9", ""))
    sys.stdout.flush()
    sys.stderr.write("=" * 72 + "\\nBochs is exiting with the following message:\\n")
else:
    sys.stdout.buffer.write(console)
sys.stdout.flush()
sys.exit(int(os.environ["FAKE_EXIT"]))
"""


def run_fake(tmp_path, emu, console, exit_code, e9=""):
    """tools/run --emu EMU against a fake emulator; returns the CompletedProcess."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("qemu-system-x86_64", "bochs"):
        fake = bin_dir / name
        fake.write_text(FAKE_EMULATOR)
        fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_CONSOLE=console,
               FAKE_EXIT=str(exit_code), FAKE_E9=e9)
    return subprocess.run([str(RUNNER), "--emu", emu, "--quiet", "--timeout", "20"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def qemu_code(status):
    return (status << 1) | 1      # isa-debug-exit


def test_a_guests_status_line_neither_ends_nor_decides_the_run(tmp_path):
    done = run_fake(tmp_path, "qemu", BOOT + FORGED + "memvisor: shutdown status=2 reason=bad-option\n",
                    qemu_code(2))
    assert done.returncode == 2, f"expected memvisor's status 2, seen {done.returncode}\n{done.stderr}"


def test_a_guests_status_line_alone_is_no_status(tmp_path):
    done = run_fake(tmp_path, "qemu", BOOT + FORGED, qemu_code(0))
    assert done.returncode == EXIT_NO_STATUS, f"expected {EXIT_NO_STATUS}, seen {done.returncode}\n{done.stderr}"


def assert_mismatch(done, said):
    """The runner refused the run's status with 123 and said why on stderr."""
    assert done.returncode == EXIT_STATUS_MISMATCH, \
        f"expected {EXIT_STATUS_MISMATCH}, seen {done.returncode}\n{done.stderr}"
    assert said in done.stderr, f"expected {said!r} on stderr, seen:\n{done.stderr}"


def test_qemu_console_and_device_disagree(tmp_path):
    done = run_fake(tmp_path, "qemu", BOOT + "memvisor: shutdown status=0 reason=guests-done\n", qemu_code(5))
    assert_mismatch(done, "the console says status=0 reason=guests-done")
    assert "isa-debug-exit (QEMU exited with code 11) says status=5" in done.stderr, done.stderr


def test_qemu_without_a_device_status_is_an_error(tmp_path):
    done = run_fake(tmp_path, "qemu", BOOT + "memvisor: shutdown status=0 reason=guests-done\n", 0)
    assert_mismatch(done, "gave no status")


def test_bochs_console_and_debug_port_disagree(tmp_path):
    done = run_fake(tmp_path, "bochs", BOOT + "memvisor: shutdown status=0 reason=guests-done\n", 1,
                    e9="\nmemvisor: shutdown status=3 reason=panic\n")
    assert_mismatch(done, "port 0xe9 (Bochs port_e9_hack) says status=3 reason=panic")


def test_bochs_without_the_debug_port_line_is_an_error(tmp_path):
    done = run_fake(tmp_path, "bochs", BOOT + "memvisor: shutdown status=0 reason=guests-done\n", 1)
    assert_mismatch(done, "gave no status line")


def test_bochs_console_and_debug_port_agree(tmp_path):
    done = run_fake(tmp_path, "bochs", BOOT + FORGED + "memvisor: shutdown status=5 reason=guest-failed\n", 1,
                    e9="\nmemvisor: shutdown status=5 reason=guest-failed\n")
    assert done.returncode == 5, f"expected 5, seen {done.returncode}\n{done.stderr}"
