# guest/guest.mk — builds the guests; included by the top Makefile.
#
#   build/guests/NAME.elf    one ELF per guest: guest/runtime/ + guest/NAME/,
#                            linked by guest/guest.ld at 1 MiB
#   build/modules/NAME.elf   the same file, as a module of the ISO
#                            (boot/grub.cfg: module2 /boot/modules/NAME.elf NAME)
#
# Standalone, without memvisor (Multiboot v1; QEMU wants a 32-bit ELF):
#   objcopy -O elf32-i386 build/guests/hello.elf /tmp/hello32.elf
#   qemu-system-x86_64 -cpu max -m 64M -display none -serial stdio -no-reboot \
#     -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel /tmp/hello32.elf \
#     [-append "touch=1M seed=7"]
#
# The first rule here is `all`, so including this file anywhere keeps
# `all` the default goal.

GUEST_NAMES := hello memtest crash badcall bench spin busy hog workset badballoon twins zipmix insn regspy attack

all: guests

# The kernel's freestanding flags (KCFLAGS), spelled out so that a
# kernel-only flag added there does not leak into the guests. -I. lets
# guest code include "kernel/printf.h" and "vmm/hypercall_abi.h" by path.
GUEST_CFLAGS := $(WARN) -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
                -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
                -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
                -fno-tree-loop-distribute-patterns -I. -Iguest/runtime -MMD -MP
GUEST_ASFLAGS := -D__ASSEMBLY__ -g -iquote . -Iguest/runtime -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack

# The runtime, plus the kernel's pure formatter and string helpers and its
# GDT, IDT and exception stubs (compiled again here, not copied).
GUEST_RUNTIME_SRC := $(wildcard guest/runtime/*.c guest/runtime/*.S) kernel/printf.c kernel/string.c \
                     kernel/gdt.c kernel/idt.c kernel/isr.S
GUEST_RUNTIME_OBJ := $(patsubst %,$(BUILD)/g/%.o,$(GUEST_RUNTIME_SRC))
guest_workload_obj = $(patsubst %,$(BUILD)/g/%.o,$(wildcard guest/$(1)/*.c))
GUEST_ALL_OBJ := $(GUEST_RUNTIME_OBJ) $(foreach g,$(GUEST_NAMES),$(call guest_workload_obj,$(g)))

GUEST_ELFS := $(GUEST_NAMES:%=$(BUILD)/guests/%.elf)
GUEST_MODULES := $(GUEST_NAMES:%=$(BUILD)/modules/%.elf)
MODULES += $(GUEST_MODULES)
# The ISO rule lists $(MODULES) as prerequisites; this keeps the guests
# among them wherever the include line sits.
$(BUILD)/memvisor.iso: $(GUEST_MODULES)

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_MODULES)

$(GUEST_ALL_OBJ): Makefile guest/guest.mk

# $(Q): the top Makefile's quiet switch (`make V=1` shows whole commands).
$(BUILD)/g/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (guest)")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/g/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $< (guest)")
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

# One link rule per guest: runtime objects + that guest's own objects.
define guest_link_rule
$(BUILD)/guests/$(1).elf: $(GUEST_RUNTIME_OBJ) $(call guest_workload_obj,$(1)) guest/guest.ld
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$(LD) $(GUEST_LDFLAGS) -T guest/guest.ld -o $$@ $(GUEST_RUNTIME_OBJ) $(call guest_workload_obj,$(1))
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_link_rule,$(g))))

$(BUILD)/modules/%.elf: $(BUILD)/guests/%.elf
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

-include $(GUEST_ALL_OBJ:.o=.d)
