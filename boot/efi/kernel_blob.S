/* boot/efi/kernel_blob.S — build/memvisor.elf, embedded byte for byte so that
 * memvisor.efi is one self-contained file.
 *
 * Contract: kernel_elf_start/kernel_elf_end bound the ELF file; 16-byte
 * alignment lets kernel_load.c read the ELF headers in place. KERNEL_ELF is
 * the file's path, passed by the Makefile (which also makes this object
 * depend on it: gcc -MMD does not see .incbin).
 */
	.section .rodata.kernel_elf, "a"
	.balign 16
	.global kernel_elf_start, kernel_elf_end
kernel_elf_start:
	.incbin KERNEL_ELF
kernel_elf_end:

	.section .note.GNU-stack, "", @progbits
