"""The kernel command line: `help` lists the options, bad options stop the run with
status 2 and a message naming the option (QEMU, BIOS GRUB from the ISO)."""
import re

import pytest
from memvisor import boot

OPTION_LINE_RE = re.compile(r"^  (\w+)(=\S+)?\s+(.*)$")
STATUS_BAD_OPTION = 2


@pytest.fixture(scope="module")
def help_run():
    return boot("qemu", "iso", "64M", "help")


@pytest.fixture(scope="module")
def unknown_run():
    return boot("qemu", "iso", "64M", "bogus=1")


@pytest.fixture(scope="module")
def bad_value_run():
    return boot("qemu", "iso", "64M", "zswap=12Q")


def option_lines(run):
    """The lines after 'memvisor: options:' that describe one option each."""
    assert "memvisor: options:" in run.lines, run.describe()
    after = run.lines[run.lines.index("memvisor: options:") + 1:]
    return [m for m in map(OPTION_LINE_RE.match, after) if m]


class TestHelp:
    def test_stops_with_status_0_reason_help(self, help_run):
        assert help_run.status == 0, help_run.describe()
        assert help_run.final == (0, "help"), help_run.describe()

    def test_lists_the_options_the_tests_use(self, help_run):
        names = {m.group(1) for m in option_lines(help_run)}
        assert {"help", "test", "zswap"} <= names, f"options listed: {sorted(names)}"

    def test_every_option_with_a_value_shows_its_default(self, help_run):
        valued = [m for m in option_lines(help_run) if m.group(2)]
        assert valued, help_run.describe()
        missing = [m.group(0) for m in valued if "(default: " not in m.group(3)]
        assert not missing, "options without '(default: X)':\n" + "\n".join(missing)


class TestUnknownOption:
    def test_runner_status_is_2(self, unknown_run):
        assert unknown_run.status == STATUS_BAD_OPTION, unknown_run.describe()

    def test_error_names_the_option(self, unknown_run):
        assert unknown_run.starting("memvisor: error: option 'bogus':"), unknown_run.describe()

    def test_final_line_says_bad_option(self, unknown_run):
        assert unknown_run.final == (STATUS_BAD_OPTION, "bad-option"), unknown_run.describe()


class TestBadValue:
    def test_runner_status_is_2(self, bad_value_run):
        assert bad_value_run.status == STATUS_BAD_OPTION, bad_value_run.describe()

    def test_error_names_the_option(self, bad_value_run):
        assert bad_value_run.starting("memvisor: error: option 'zswap':"), \
            bad_value_run.describe()

    def test_final_line_says_bad_option(self, bad_value_run):
        assert bad_value_run.final == (STATUS_BAD_OPTION, "bad-option"), bad_value_run.describe()


@pytest.fixture(scope="module")
def entry_check_run():
    return boot("qemu", "iso", "64M", "entry_check=maybe")


class TestEntryCheckValue:
    """entry_check takes on or off only: anything else is an option error, never a silent default."""

    def test_refused_naming_the_option_and_its_values(self, entry_check_run):
        want = "memvisor: error: option 'entry_check': must be on or off"
        assert want in entry_check_run.lines, f"expected the line {want!r}\n" + entry_check_run.describe()

    def test_stops_with_status_2_bad_option(self, entry_check_run):
        assert entry_check_run.final == (STATUS_BAD_OPTION, "bad-option"), entry_check_run.describe()


@pytest.fixture(scope="module")
def quoted_run():
    # GRUB escapes quotes on the way to the kernel; the kernel undoes it.
    return boot("qemu", "iso", "64M", 'test="printf,cmdline" fault="none"')


class TestQuotedValues:
    def test_quoted_values_arrive_unescaped(self, quoted_run):
        assert quoted_run.starting("memvisor: boot=multiboot2/bios cmdline='test=\"printf,cmdline\" "
                                   "fault=\"none\"'"), quoted_run.describe()

    def test_quoted_test_selection_runs_those_suites(self, quoted_run):
        assert quoted_run.final == (0, "tests-passed"), quoted_run.describe()
        assert "    # Subtest: printf" in quoted_run.lines, quoted_run.describe()
        assert "    # Subtest: frames" not in quoted_run.lines, quoted_run.describe()


# Input that does not fit is refused with a clear message, never cut or
# turned into a crash: each stops the boot (status 2), so one QEMU boot each.
LONG_ZEROS = "0" * 1100           # stats_interval=000...0 is 0: valid when cut
TOO_LONG = {
    # guest_mem below one page divided by zero (status 3) before.
    "guest_mem_not_whole_pages": (
        "guests=hello:4M guest_mem=4095",
        r"^memvisor: error: option 'guest_mem': 4095 bytes is not a multiple of 4K$"),
    # A budget too small for hello to start: its VM was stopped (status 6).
    "guest_mem_below_what_a_guest_needs": (
        "guests=hello:4M guest_mem=64K",
        r"^memvisor: error: option 'guest_mem': 64 KiB is less than the \d+ KiB hello needs to start "
        r"\(its image and 128 KiB for its page tables and allocator\)$"),
    # Over the multiboot2 loader's 1023 characters: it ran cut before.
    "command_line_over_the_limit": (
        f"guests=hello:4M stats_interval={LONG_ZEROS}",
        r"^memvisor: error: the command line is 1131 characters, the limit is 1023$"),
    # Guest arguments over 127 characters: cut before (seed=000...07 became seed=0).
    "guest_arguments_over_the_limit": (
        f"guests=memtest:4M:seed={'0' * 130}7",
        r"^memvisor: error: option 'guests': memtest: the guest's arguments are 136 characters, "
        r"the limit is 127$"),
}


@pytest.fixture(scope="module", params=sorted(TOO_LONG))
def refused(request):
    cmdline, message = TOO_LONG[request.param]
    return boot("qemu", "iso", "64M", cmdline), message


class TestInputThatDoesNotFit:
    def test_is_refused_with_a_message_saying_why(self, refused):
        run, message = refused
        run.match(message)

    def test_stops_with_status_2_bad_option(self, refused):
        run, _ = refused
        assert run.status == STATUS_BAD_OPTION, run.describe()
        assert run.final == (STATUS_BAD_OPTION, "bad-option"), run.describe()

    def test_every_line_comes_out_whole(self, refused):
        # The boot line of a long command line is longer than kprintf's
        # 1 KiB buffer: it must end with its quote, on a line of its own.
        run, _ = refused
        boot_line = run.lines[0]
        assert boot_line.startswith("memvisor: boot=") and boot_line.endswith("'"), \
            f"boot line cut or glued to the next: ...{boot_line[-80:]!r}"
