"""Emulated and intercepted instructions under Bochs (Intel VT-x + EPT): the
same guest and checks as under QEMU/SVM (insn_checks.py), with VMCALL."""
import pytest
from conftest import boot, skip_unless_bochs_runs_a_guest
from insn_checks import INSN_CMDLINE, InsnScenario

CPU = "corei7_skylake_x"


@pytest.fixture(scope="module")
def insn_run():
    skip_unless_bochs_runs_a_guest(CPU)
    return boot("bochs", "iso", "64M", INSN_CMDLINE, cpu=CPU, timeout=120)


class TestInsnVmx(InsnScenario):
    HYPERCALL = "vmcall"
