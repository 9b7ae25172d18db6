/* kernel/pci.h — PCI configuration space through Configuration Mechanism
 * #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2 "Software Generation of
 * Configuration Transactions"): a dword written to CONFIG_ADDRESS (CF8h)
 * names bus, device, function and register; CONFIG_DATA (CFCh) then reads
 * or writes that register. QEMU's pc machine and Bochs' i440FX both
 * decode it.
 *
 *   CONFIG_ADDRESS  31: enable | 23:16 bus | 15:11 device | 10:8 function | 7:2 register
 */
#ifndef MEMVISOR_PCI_H
#define MEMVISOR_PCI_H

#include "kernel/types.h"

struct pci_fn {
	uint8_t bus, dev, fn;
};

/* Header registers (PCI 3.0, 6.1 "Configuration Space Organization"). */
#define PCI_ID 0x00          /* vendor 15:0, device 31:16; vendor FFFFh: no function */
#define PCI_COMMAND 0x04     /* command 15:0, status 31:16 */
#define PCI_CLASS 0x08       /* revision 7:0, prog-if 15:8, subclass 23:16, class 31:24 */
#define PCI_HEADER_TYPE 0x0c /* byte 2 of this dword; bit 7: multi-function */
#define PCI_BAR(n) (0x10 + 4 * (n))
#define PCI_COMMAND_IO BIT(0)
#define PCI_COMMAND_BUS_MASTER BIT(2)
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_IO_MASK 0xfffffffcu

uint32_t pci_read32(struct pci_fn f, uint8_t reg);
void pci_write32(struct pci_fn f, uint8_t reg, uint32_t v);
/* The first function on bus 0 of that class and subclass: 0, or
 * -E_NOT_FOUND. Bus 0 only: both emulators put their chipset's functions
 * there, and no bridge is walked. */
int pci_find_class(uint8_t class, uint8_t subclass, struct pci_fn *out);

#endif
