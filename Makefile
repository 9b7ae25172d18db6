# memvisor — top-level build. `make` builds both images; `make help` lists targets.
#
#   build/memvisor.elf   the kernel (both boot paths load this one file)
#   build/memvisor.iso   GRUB rescue image, BIOS and UEFI, multiboot2
#   build/memvisor.efi   GNU-EFI application that OVMF starts directly

BUILD   := build
CC      := gcc
LD      := ld
WARN    := -Wall -Wextra -Werror
KCFLAGS := $(WARN) -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
           -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -fno-tree-loop-distribute-patterns -iquote . -MMD -MP
KASFLAGS := -D__ASSEMBLY__ -g -iquote . -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

KERNEL_C := $(wildcard boot/*.c kernel/*.c vmm/*.c vmm/*/*.c tests/kernel/*.c)
KERNEL_S := $(wildcard boot/*.S kernel/*.S vmm/*.S vmm/*/*.S)
KERNEL_OBJ := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_C) $(KERNEL_S))

.PHONY: all clean
all: $(BUILD)/memvisor.elf $(BUILD)/memvisor.iso $(BUILD)/memvisor.efi

# Flags live here, so a changed Makefile rebuilds the kernel.
$(KERNEL_OBJ): Makefile

# KTEST()s must land in .ktest in source order, so a suite runs top down.
$(BUILD)/k/tests/kernel/%.c.o: KCFLAGS += -fno-toplevel-reorder

# `make V=1` shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/memvisor.elf: $(KERNEL_OBJ) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJ)

# The ISO's grub.cfg reads the command line from /boot/grub/cmdline.cfg,
# which tools/run replaces per run (xorriso) without rebuilding anything.
# Modules: every file in build/modules/ goes to the ISO's /boot/modules/
# (grub.cfg names each) and beside memvisor.efi in modules/ (tools/run).
MODULES := $(BUILD)/modules/selftest.txt

$(BUILD)/modules/selftest.txt: boot/selftest-module.txt
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

include guest/guest.mk

$(BUILD)/memvisor.iso: $(BUILD)/memvisor.elf boot/grub.cfg boot/cmdline.cfg $(MODULES)
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub $(BUILD)/iso/boot/modules
	@$(if $(Q),echo "  ISO     $@")
	$(Q)cp $(BUILD)/memvisor.elf $(BUILD)/iso/boot/memvisor.elf
	$(Q)cp $(MODULES) $(BUILD)/iso/boot/modules/
	$(Q)cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)cp boot/cmdline.cfg $(BUILD)/iso/boot/grub/cmdline.cfg
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# ---- build/memvisor.efi: the GNU-EFI loader (boot/efi/) ---------------------
# A UEFI application with build/memvisor.elf inside (boot/efi/kernel_blob.S).
# gnu-efi's recipe: compile position-independent, link a shared ELF object
# with crt0-efi-x86_64.o and elf_x86_64_efi.lds (crt0 applies the relocations
# itself), then let objcopy rewrite it as a PE32+ EFI application.
# -DGNU_EFI_USE_MS_ABI (gnu-efi >= 3.0): EFIAPI = __attribute__((ms_abi)), so
# firmware calls are direct, type-checked C calls; no uefi_call_wrapper().
# -fshort-wchar: L"..." is UCS-2 (CHAR16). -mno-red-zone: firmware interrupt
# handlers run on our stack.
EFI_INC     := /usr/include/efi
EFI_LIB     := /usr/lib
EFI_CFLAGS  := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-stack-protector -fpic \
               -fshort-wchar -mno-red-zone -DGNU_EFI_USE_MS_ABI \
               -iquote . -I$(EFI_INC) -I$(EFI_INC)/x86_64 -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
               --no-warn-rwx-segments -L$(EFI_LIB)
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc
EFI_OBJ := $(patsubst %,$(BUILD)/efi/%.o,$(wildcard boot/efi/*.c) boot/efi/kernel_blob.S)
$(EFI_OBJ): Makefile

$(BUILD)/efi/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFICC   $<")
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

# gcc -MMD does not see .incbin, hence the explicit kernel dependency.
$(BUILD)/efi/boot/efi/kernel_blob.S.o: boot/efi/kernel_blob.S $(BUILD)/memvisor.elf
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFIAS   $<")
	$(Q)$(CC) -DKERNEL_ELF='"$(BUILD)/memvisor.elf"' -c $< -o $@

$(BUILD)/efi/memvisor.so: $(EFI_OBJ)
	@$(if $(Q),echo "  EFILD   $@")
	$(Q)$(LD) $(EFI_LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJ) -o $@ -lefi -lgnuefi

$(BUILD)/memvisor.efi: $(BUILD)/efi/memvisor.so
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)objcopy $(EFI_SECTIONS) --target efi-app-x86_64 $< $@

-include $(EFI_OBJ:.o=.d)
# ---- end of build/memvisor.efi ----------------------------------------------

# ---- running, testing, debugging --------------------------------------------
#   make deps                   install the Debian packages we need (tools/deps)
#   make run CMDLINE='help'     boot the ISO in QEMU with that kernel command line
#   make test                   host unit tests, then system tests in emulators
#   make check-layers           every include goes down the layers (make unit runs it; no emulator)
#   make debug                  QEMU halted with its gdb stub, gdb attached
#   make bench                  benchmarks, each next to a reference (tools/bench)
#   make attack                 the adversarial guest, ATTACK_ROUNDS rounds, a new seed
#   make soak                   the overcommit mix for SOAK_SECONDS, page moves counted
#                               (and the labs' mutants only an emulator catches)
#   make skeleton LAB=NAME      a lab's student tree in ../memvisor-lab-NAME/ (DIR=, FORCE=1)
#   make grade LAB=NAME         a lab's checks and its score (docs/labs/)
#   make handin                 in a skeleton: the student's patch and answers, packed
# tools/run boots one image in one emulator and exits with the hypervisor's
# status (tools/run --help). Each of these targets checks the packages first.
PYTHON  := /usr/bin/python3
CMDLINE ?=
# CMDLINE in single quotes for the shell ('\'' for each quote inside).
CMDLINE_ARG := '$(subst ','\'',$(CMDLINE))'

.PHONY: deps run test unit debug bench skeleton grade handin attack soak check-layers
deps:
	tools/deps

# Labs (docs/labs/): a student's tree without one lab's exercises, written
# outside this tree (DIR=, default ../memvisor-lab-NAME; FORCE=1 replaces a
# directory that is not empty), and the lab's checks with a score.
# tools/labs checks LAB; ONLY=unit|qemu shortens grading to the host unit
# tests, or to those and the QEMU runs. In a skeleton LAB defaults to its
# own lab (.memvisor-lab) and `make handin` packs the student's changes.
LAB   ?= $(shell cat .memvisor-lab 2>/dev/null)
ONLY  ?=
DIR   ?=
FORCE ?=
skeleton:
	@test -n "$(LAB)" || { echo "make skeleton: name the lab: LAB=NAME (tools/labs list)"; exit 2; }
	tools/labs skeleton $(LAB) $(DIR) $(if $(FORCE),--force)

grade:
	@test -n "$(LAB)" || { echo "make grade: name the lab: LAB=NAME (tools/labs list)"; exit 2; }
	tools/deps
	$(MAKE) all
	tools/labs grade $(LAB) $(if $(ONLY),--only $(ONLY))

handin:
	tools/labs handin

# Not part of `make test`: the same attacks as tests/system/test_attack.py
# with ten times the rounds and the time as seed; the overcommit mix again
# and again with random seeds, balloon targets and compression points, then
# scenario=overcommit under Bochs (minutes on its own).
ATTACK_ROUNDS ?= 20000
SOAK_SECONDS  ?= 300
attack:
	tools/deps
	$(MAKE) all
	ATTACK_ROUNDS=$(ATTACK_ROUNDS) ATTACK_SEED=$$(date +%s) \
	    $(PYTHON) -m pytest tests/system/test_attack.py

soak:
	tools/deps
	$(MAKE) all
	tools/soak --seconds $(SOAK_SECONDS)
	MEMVISOR_SLOW=1 $(PYTHON) -m pytest -m bochs tests/system/test_overcommit.py
	MEMVISOR_SLOW=1 $(PYTHON) -m pytest -m bochs tests/system/test_swap.py -k "scenario_swap or swap_bench_figures"
	MEMVISOR_SLOW=1 $(PYTHON) -m pytest tests/system/test_lab_mutants.py -k test_system_checks_fail_the_mutant

bench:
	tools/deps
	$(MAKE) all host-bench
	tools/bench

# Host-side benchmarks (tools/benchmarks/), each next to a reference library
# measured in the same run. The code under test gets the kernel's code-
# generation flags (-O2, -mgeneral-regs-only: what runs in memvisor).
BENCH_DIR    := $(BUILD)/bench
BENCH_KFLAGS := $(WARN) -std=gnu11 -O2 -ffreestanding -fno-builtin -mgeneral-regs-only -iquote . -MMD -MP
BENCH_BINS   := $(BENCH_DIR)/page_hash_bench $(BENCH_DIR)/zswap_bench
.PHONY: host-bench
host-bench: $(BENCH_BINS)

$(BENCH_DIR)/k/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHCC $<")
	$(Q)$(CC) $(BENCH_KFLAGS) -c $< -o $@

-include $(wildcard $(BENCH_DIR)/k/vmm/*/*.d)

$(BENCH_DIR)/page_hash_bench: tools/benchmarks/page_hash_bench.c $(BENCH_DIR)/k/vmm/share/page_hash.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(WARN) -std=gnu11 -O2 -iquote . $^ -o $@ -lxxhash

$(BENCH_DIR)/zswap_bench: tools/benchmarks/zswap_bench.c $(BENCH_DIR)/k/vmm/zswap/compress.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(WARN) -std=gnu11 -O2 -iquote . $^ -o $@ -llz4

run:
	tools/deps
	$(MAKE) all
	tools/run --emu qemu --image iso --cmdline $(CMDLINE_ARG)

# Both parts always run; the last line sums them up, and the exit status is
# non-zero if either failed. The host benchmarks are built (not run), so that
# a broken `make bench` shows here. pytest takes its options (two workers,
# one group per test module and backend) from pytest.ini.
test:
	tools/deps
	$(MAKE) all host-bench
	@unit=passed; $(MAKE) unit || unit=FAILED; \
	system=passed; $(PYTHON) -m pytest tests/system || system=FAILED; \
	echo "make test: unit tests $$unit, system tests $$system"; \
	[ $$unit = passed ] && [ $$system = passed ]

# Every #include of boot/, kernel/ and vmm/ goes to a lower layer (the table
# and the few allowed exceptions, each with its reason, are in the script).
check-layers:
	$(PYTHON) tools/check-layers

# -- Host unit tests (tests/unit/) --------------------------------------------
# `make unit`: each tests/unit/test_<module>.c is a cmocka program, linked with
# the pure kernel sources it tests, built for the host with ASan and UBSan,
# and run by tools/cmocka_results.py, which reads each program's results from
# the JUnit XML cmocka writes (a program that aborts fails every test it had
# not passed), shows what failed and ends with "unit: N passed, M failed";
# the make fails if any test failed.
# Sources include each other by their path in the tree ("kernel/string.h",
# "vmm/mm/pmap.h"): -iquote ., never -I, so that the system headers keep the
# C library's <string.h> and <errno.h>.
# kernel/string.c is never linked: it defines memcpy, strlen & co. under
# their C names, and the host's C library provides those already.
UNIT_DIR    := $(BUILD)/tests/unit
UNIT_CFLAGS := -std=gnu11 $(WARN) -g -O1 -fsanitize=address,undefined \
               -fno-sanitize-recover=all -iquote . -MMD -MP
UNIT_BINS   := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%,$(wildcard tests/unit/test_*.c))
unit_obj     = $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(1))

# The kernel sources each test program needs besides its own file.
$(UNIT_DIR)/test_printf:  $(call unit_obj,kernel/printf.c)
$(UNIT_DIR)/test_cmdline: $(call unit_obj,kernel/cmdline.c kernel/printf.c)
$(UNIT_DIR)/test_frames:  $(call unit_obj,kernel/frames.c)
$(UNIT_DIR)/test_memmap:  $(call unit_obj,kernel/memmap.c)
$(UNIT_DIR)/test_pmap:    $(call unit_obj,vmm/mm/pmap.c)
$(UNIT_DIR)/test_frame_table: $(call unit_obj,vmm/mm/frame_table.c)
$(UNIT_DIR)/test_release:  $(call unit_obj,vmm/mm/release.c vmm/mm/pmap.c vmm/mm/frame_table.c)
$(UNIT_DIR)/test_compress:    $(call unit_obj,vmm/zswap/compress.c tests/unit/pages.c)
$(UNIT_DIR)/test_zswap_area:  $(call unit_obj,vmm/zswap/area.c vmm/zswap/area_check.c vmm/zswap/compress.c tests/unit/pages.c)
$(UNIT_DIR)/test_zswap_fifo:  $(call unit_obj,vmm/zswap/fifo.c)
$(UNIT_DIR)/test_zswap_store: $(call unit_obj,vmm/zswap/store.c vmm/zswap/area.c vmm/zswap/compress.c tests/unit/pages.c)
$(UNIT_DIR)/test_zswap_clock: $(call unit_obj,vmm/zswap/clock.c vmm/mm/pmap.c)
$(UNIT_DIR)/test_zswap_readahead: $(call unit_obj,vmm/zswap/readahead.c vmm/mm/pmap.c)
$(UNIT_DIR)/test_zipmix_content: $(call unit_obj,guest/zipmix/content.c vmm/zswap/store.c vmm/zswap/area.c vmm/zswap/compress.c)
$(UNIT_DIR)/test_mem_state: $(call unit_obj,vmm/policy/mem_state.c kernel/printf.c)
$(UNIT_DIR)/test_policy_targets: $(call unit_obj,vmm/policy/policy.c vmm/policy/mem_state.c vmm/policy/entitle.c kernel/printf.c)
$(UNIT_DIR)/test_alloc:     $(call unit_obj,vmm/policy/alloc.c kernel/cmdline.c kernel/printf.c)
$(UNIT_DIR)/test_active:    $(call unit_obj,vmm/policy/active_estimate.c)
$(UNIT_DIR)/test_entitle:   $(call unit_obj,vmm/policy/entitle.c)
$(UNIT_DIR)/test_balloon_batch: $(call unit_obj,vmm/balloon/batch.c vmm/mm/pmap.c)
$(UNIT_DIR)/test_balloon_pages: $(call unit_obj,vmm/balloon/pages.c vmm/mm/pmap.c vmm/mm/frame_table.c)
$(UNIT_DIR)/test_balloon_inflate: $(call unit_obj,vmm/balloon/pages.c vmm/mm/pmap.c vmm/mm/frame_table.c)
$(UNIT_DIR)/test_balloon_plan:  $(call unit_obj,vmm/balloon/plan.c kernel/cmdline.c kernel/printf.c)
$(UNIT_DIR)/test_page_hash:  $(call unit_obj,vmm/share/page_hash.c)
$(UNIT_DIR)/test_console_escape: $(call unit_obj,vmm/console_escape.c)
$(UNIT_DIR)/test_log_limit: $(call unit_obj,vmm/log_limit.c kernel/rate_limit.c)
$(UNIT_DIR)/test_share_table: $(call unit_obj,vmm/share/table.c)
$(UNIT_DIR)/test_scan_order: $(call unit_obj,vmm/share/scan_order.c kernel/rate_limit.c)
$(UNIT_DIR)/test_xcr0:       $(call unit_obj,vmm/cpu/xcr0.c)
$(UNIT_DIR)/test_cpuid_view: $(call unit_obj,vmm/cpu/cpuid_view.c)
$(UNIT_DIR)/test_share:      $(call unit_obj,vmm/share/share.c vmm/share/table.c vmm/share/page_hash.c vmm/mm/pmap.c vmm/mm/frame_table.c)
$(UNIT_DIR)/test_insn_decode: $(call unit_obj,vmm/cpu/insn_decode.c)
$(UNIT_DIR)/test_cr_write:    $(call unit_obj,vmm/cpu/cr_write.c)
$(UNIT_DIR)/test_guest_walk:  $(call unit_obj,vmm/cpu/guest_walk.c)
$(UNIT_DIR)/test_swap_slots:  $(call unit_obj,vmm/swap/slots.c)
$(UNIT_DIR)/test_swap_out:    $(call unit_obj,vmm/swap/out.c vmm/mm/pmap.c)
$(UNIT_DIR)/test_swap_checksum: $(call unit_obj,vmm/swap/checksum.c)
$(UNIT_DIR)/test_swap_header: $(call unit_obj,vmm/swap/header.c)
$(UNIT_DIR)/test_svm_entry_check: $(call unit_obj,vmm/svm/entry_check.c)
$(UNIT_DIR)/test_vmx_entry_check: $(call unit_obj,vmm/vmx/entry_check.c vmm/vmx/entry_fields.c)
$(UNIT_DIR)/test_vmx_controls: $(call unit_obj,vmm/vmx/controls.c kernel/printf.c)

$(UNIT_DIR)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(CC) $(UNIT_CFLAGS) -c $< -o $@

# Every program links tests/unit/lab_todo.c: in a lab skeleton (docs/labs/)
# the code under test may reach an exercise that is not written yet.
$(UNIT_BINS): $(UNIT_DIR)/%: $(UNIT_DIR)/obj/tests/unit/%.o $(UNIT_DIR)/obj/tests/unit/lab_todo.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(CC) $(UNIT_CFLAGS) $(filter %.o,$^) -o $@ -lcmocka

# test_compress round-trips every page of the page compressor's benchmark
# corpus: made here when missing (it boots guests under QEMU to dump their
# pages, so it needs the kernel; about 15 s, once).
ZSWAP_CORPUS := $(BENCH_DIR)/corpus
$(ZSWAP_CORPUS)/guests.pages $(ZSWAP_CORPUS)/binaries.pages $(ZSWAP_CORPUS)/text.pages &: | \
		$(BUILD)/memvisor.elf $(BUILD)/memvisor.iso
	tools/benchmarks/zswap-corpus --out $(ZSWAP_CORPUS)

unit: $(UNIT_BINS) $(ZSWAP_CORPUS)/guests.pages $(ZSWAP_CORPUS)/binaries.pages $(ZSWAP_CORPUS)/text.pages
	@$(PYTHON) tools/check-layers
	@$(PYTHON) tools/cmocka_results.py $(UNIT_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_QUICK_SECONDS) $(FUZZ_BINS)
	@tools/check-docs

# The documents name only links, files and functions the tree has
# (tools/check-docs; `make unit`, and so `make test`, runs it too).
.PHONY: check-docs
check-docs:
	tools/check-docs

-include $(wildcard $(UNIT_DIR)/obj/kernel/*.d $(UNIT_DIR)/obj/vmm/*.d $(UNIT_DIR)/obj/vmm/*/*.d $(UNIT_DIR)/obj/tests/unit/*.d \
                   $(UNIT_DIR)/obj/guest/*/*.d)
# -- end of host unit tests ---------------------------------------------------

# -- Fuzzers (tests/fuzz/) ----------------------------------------------------
# Each tests/fuzz/fuzz_<name>.c is a libFuzzer target, built by clang with
# ASan and UBSan around the decoder it feeds malformed input. `make unit`
# (and so `make test`) runs each for FUZZ_QUICK_SECONDS; `make fuzz` for
# FUZZ_SECONDS. The corpus grows in build/fuzz/corpus/ from run to run,
# starting from seeds that tests/fuzz/seeds.c writes. tests/fuzz/run.sh
# ends with "fuzz: N fuzzers ran S s each, E inputs, 0 crashes".
FUZZ_DIR    := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=gnu11 $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all -iquote .
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SEEDS  := $(FUZZ_DIR)/seeds/.written
FUZZ_SECONDS ?= 60
FUZZ_QUICK_SECONDS ?= 3

# The sources each fuzzer needs besides its own file.
$(FUZZ_DIR)/fuzz_decompress: vmm/zswap/compress.c vmm/zswap/compress.h

$(FUZZ_BINS): $(FUZZ_DIR)/%: tests/fuzz/%.c Makefile
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@

$(FUZZ_SEEDS): tests/fuzz/seeds.c vmm/zswap/compress.c vmm/zswap/compress.h Makefile
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 $(WARN) -O1 -iquote . $(filter %.c,$^) -o $(FUZZ_DIR)/seeds-writer
	$(Q)$(FUZZ_DIR)/seeds-writer $(dir $@) && touch $@

unit: $(FUZZ_BINS) $(FUZZ_SEEDS) # the quick run is in unit's recipe above

.PHONY: fuzz
fuzz: $(FUZZ_BINS) $(FUZZ_SEEDS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)
# -- end of fuzzers -----------------------------------------------------------

# make debug [CMDLINE='guests=hello:4M,memtest:16M'] [GUEST_SYMBOLS='memtest']
# QEMU starts halted in the background (tools/run --gdb, port 1234); gdb runs
# tools/gdb/memvisor.gdb: kernel symbols, the mv-* helpers (tools/gdb/
# memvisor.py), stopped at kernel_main. GUEST_SYMBOLS adds those guests'
# symbols too; they share low addresses with the kernel (help mv-guest-symbols).
GUEST_SYMBOLS ?=
debug:
	tools/deps
	$(MAKE) all
	tools/run --emu qemu --image iso --gdb --cmdline $(CMDLINE_ARG) & runner=$$!; \
	gdb -q -ex 'set $$mv_guest_symbols = "$(GUEST_SYMBOLS)"' -x tools/gdb/memvisor.gdb; \
	kill $$runner 2>/dev/null; wait $$runner || true
# ---- end of running, testing, debugging -------------------------------------

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJ:.o=.d)
