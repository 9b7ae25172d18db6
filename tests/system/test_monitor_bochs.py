"""Monitor commands under Bochs/VMX, given by script= (Bochs' serial port
is a file: nobody can type at it). Checks: monitor_checks.py."""
import pytest
from conftest import boot
from monitor_checks import SCRIPTED_CMDLINE, MonitorScriptScenario


@pytest.fixture(scope="module")
def scripted():
    return boot("bochs", "iso", "64M", SCRIPTED_CMDLINE, cpu="corei7_skylake_x")


class TestMonitorScriptVmx(MonitorScriptScenario):
    pass
