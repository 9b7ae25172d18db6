# tools/gdb/memvisor.gdb — the gdb session `make debug` starts: memvisor's
# symbols, the mv-* helpers (tools/gdb/memvisor.py), attached to QEMU's gdb
# stub and stopped at kernel_main.
#
# Run gdb from the repository root (the paths below are relative):
#   gdb -q -x tools/gdb/memvisor.gdb
# with QEMU already started halted by `tools/run --gdb` (make debug does both).
# Two optional settings, given with -ex before -x:
#   -ex 'set $mv_gdb_port = 1235'              the stub's port (tools/run --gdb-port)
#   -ex 'set $mv_guest_symbols = "memtest"'    guests whose symbols to add too
#
# Guest symbols are opt-in: guests are linked at gpa 1 MiB and run with
# gva = gpa there, which is also where the kernel image lives (linker.ld).
# The same low addresses then name a kernel and a guest function: gdb may
# print either, and a breakpoint at such an address fires in whichever runs
# it. Condition breakpoints on $mv_in_host() (see `help mv-guest-symbols`).

# QEMU's stub sends x86-64 registers even while the CPU is in real mode.
set architecture i386:x86-64
file build/memvisor.elf
source tools/gdb/memvisor.py

if !$_isvoid($mv_guest_symbols)
  if $_strlen($mv_guest_symbols) > 0
    eval "mv-guest-symbols %s", $mv_guest_symbols
  end
end

if $_isvoid($mv_gdb_port)
  set $mv_gdb_port = 1234
end
eval "target remote localhost:%d", $mv_gdb_port

# hbreak, not break: when gdb attaches, the CPU is still in the firmware and
# GRUB has yet to load the kernel. Under KVM a software breakpoint is an INT3
# written into memory, which the loaded image overwrites; a hardware one is a
# debug register and survives. (Under TCG, QEMU treats both kinds alike.)
hbreak kernel_main
continue
