"""tools/run itself: usage errors, the KVM check and the timeout path."""
from pathlib import Path

import pytest
from conftest import run_tool

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
    assert "nested=1" in done.stderr


def test_timeout_stops_the_emulator_and_returns_124():
    done = run_tool("--timeout", "0.3", "--quiet")
    assert done.returncode == EXIT_TIMEOUT, done.stderr
    assert "run: timeout after 0.3 s" in done.stderr
