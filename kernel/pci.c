/* kernel/pci.c — PCI configuration reads and writes, and a search by class
 * (see pci.h). */
#include "kernel/pci.h"
#include "kernel/errno.h"
#include "kernel/io.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE BIT(31)
#define PCI_DEVICES 32
#define PCI_FUNCTIONS 8
#define PCI_NO_VENDOR 0xffffu
#define PCI_MULTI_FUNCTION BIT(23) /* header type's bit 7, in its dword */

static void select_reg(struct pci_fn f, uint8_t reg)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (uint32_t)f.bus << 16 | (uint32_t)f.dev << 11 |
					 (uint32_t)f.fn << 8 | (reg & 0xfcu));
}

uint32_t pci_read32(struct pci_fn f, uint8_t reg)
{
	select_reg(f, reg);
	return inl(PCI_CONFIG_DATA);
}

void pci_write32(struct pci_fn f, uint8_t reg, uint32_t v)
{
	select_reg(f, reg);
	outl(PCI_CONFIG_DATA, v);
}

int pci_find_class(uint8_t class, uint8_t subclass, struct pci_fn *out)
{
	for (uint8_t dev = 0; dev < PCI_DEVICES; dev++) {
		for (uint8_t fn = 0; fn < PCI_FUNCTIONS; fn++) {
			struct pci_fn f = { 0, dev, fn };
			if ((pci_read32(f, PCI_ID) & 0xffff) == PCI_NO_VENDOR) {
				if (fn == 0)
					break; /* no device at all */
				continue;
			}
			uint32_t cls = pci_read32(f, PCI_CLASS);
			if (cls >> 24 == class && (uint8_t)(cls >> 16) == subclass) {
				*out = f;
				return 0;
			}
			if (fn == 0 && !(pci_read32(f, PCI_HEADER_TYPE) & PCI_MULTI_FUNCTION))
				break; /* a single-function device: functions 1-7 are not decoded */
		}
	}
	return -E_NOT_FOUND;
}
