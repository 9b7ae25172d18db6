"""Emulated and intercepted instructions under QEMU/SVM (no next-RIP save:
memvisor decodes the instructions from guest memory); checks in
insn_checks.py."""
import pytest
from conftest import boot
from insn_checks import INSN_CMDLINE, InsnScenario


@pytest.fixture(scope="module")
def insn_run():
    return boot("qemu", "iso", "64M", INSN_CMDLINE)


class TestInsnSvm(InsnScenario):
    HYPERCALL = "vmmcall"
