/* vmm/cpu/boot_segments.h — the segment state every guest starts in, the
 * same under both backends: 32-bit protected mode, flat code and data
 * (base 0, limit 4 GiB), a busy 32-bit TSS, as vmm/hypercall_abi.h §1
 * promises the guest. The selectors name the slots of the GDT the guest
 * loads itself; until then only the cached descriptors count.
 * See: SDM Vol. 3A 3.4.2-3.4.5 (selectors, descriptors), 8.2.1 (TSS);
 * APM Vol. 2 4.5-4.7. */
#ifndef MEMVISOR_VMM_BOOT_SEGMENTS_H
#define MEMVISOR_VMM_BOOT_SEGMENTS_H

#define BOOT_CS 0x08
#define BOOT_DS 0x10
#define BOOT_TR 0x18
#define FLAT_LIMIT 0xffffffffu
#define TSS_LIMIT 0x67u /* a 32-bit TSS: 104 bytes */

#endif
