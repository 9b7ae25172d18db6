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
           -fno-tree-loop-distribute-patterns -MMD -MP
KASFLAGS := -D__ASSEMBLY__ -g -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

KERNEL_C := $(wildcard boot/*.c kernel/*.c kernel/tests/*.c vmm/*.c)
KERNEL_S := $(wildcard boot/*.S kernel/*.S vmm/*.S)
KERNEL_OBJ := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_C) $(KERNEL_S))

.PHONY: all clean
all: $(BUILD)/memvisor.elf $(BUILD)/memvisor.iso

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/memvisor.elf: $(KERNEL_OBJ) linker.ld
	$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJ)

# The ISO's grub.cfg reads the command line from /boot/grub/cmdline.cfg,
# which tools/run replaces per run (xorriso) without rebuilding anything.
# Modules: every file in build/modules/ goes to the ISO's /boot/modules/
# (grub.cfg names each) and beside memvisor.efi in modules/ (tools/run).
MODULES := $(BUILD)/modules/selftest.txt

$(BUILD)/modules/selftest.txt: boot/selftest-module.txt
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/memvisor.iso: $(BUILD)/memvisor.elf boot/grub.cfg boot/cmdline.cfg $(MODULES)
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub $(BUILD)/iso/boot/modules
	cp $(BUILD)/memvisor.elf $(BUILD)/iso/boot/memvisor.elf
	cp $(MODULES) $(BUILD)/iso/boot/modules/
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	cp boot/cmdline.cfg $(BUILD)/iso/boot/grub/cmdline.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }


clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJ:.o=.d)
