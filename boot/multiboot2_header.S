/* boot/multiboot2_header.S — the header GRUB looks for (Multiboot2 spec 3.1).
 *
 * The entry-address tag (spec 3.1.6) gives GRUB the 32-bit entry point; the
 * ELF's own e_entry is the 64-bit entry that the EFI loader uses.
 */
#define MB2_HEADER_MAGIC      0xe85250d6
#define MB2_ARCH_I386         0
#define MB2_TAG_END           0
#define MB2_TAG_ENTRY_ADDRESS 3

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.balign 8
	.short MB2_TAG_ENTRY_ADDRESS, 0
	.long 12
	.long mb2_entry32

	.balign 8
	.short MB2_TAG_END, 0
	.long 8
mb2_header_end:
