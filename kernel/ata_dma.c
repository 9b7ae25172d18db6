/* kernel/ata_dma.c — bus-master DMA on the PIIX IDE function (ata_dma.h).
 *
 * Sources: Intel 82371AB PIIX4 datasheet, "Bus Master IDE" (the Bus Master
 * IDE Command, Status and Descriptor Table Pointer registers, and the
 * Physical Region Descriptor table); ATA/ATAPI-6 (T13/1410D rev. 3b)
 * clause 8 READ DMA EXT (25h) and WRITE DMA EXT (35h), clause 9 the DMA
 * protocol. The PIIX3 that QEMU's pc machine and Bochs emulate has the
 * same registers.
 *
 *   BAR4 + 8*channel + 0  command     bit 0 start, bit 3 direction (1: the bus
 *                                     master writes memory, i.e. a disk read)
 *                   + 2  status      bit 0 active, bit 1 error, bit 2 interrupt
 *                                     (1 and 2 are cleared by writing 1)
 *                   + 4  PRD table   physical address, dword aligned
 *
 *   PRD entry (8 bytes): dword 0 the region's physical address; dword 1
 *   bits 15:0 the byte count (0: 64 KiB), bit 31 end of table. A region
 *   must not cross a 64 KiB boundary: one 4 KiB page never does.
 *
 * Completion is polled, not taken by interrupt. memvisor regains the CPU
 * only at a guest's exit, and it is then, at the scheduling point, that
 * a finished transfer can be acted upon (the VM that waits for it made
 * runnable): an interrupt handler could only set a flag for the same
 * point to read. Bochs delivers no interrupt exit while a guest has
 * RFLAGS.IF = 0 (vmm/sched.h), so an interrupt would arrive no sooner.
 * The device's INTRQ stays masked (nIEN) and the poll reads the bus
 * master's Status register and the device's Alternate Status, neither of
 * which changes anything.
 *
 * The emulators: QEMU's pc machine (PIIX3 at 00:01.1) transfers at once
 * from its block layer. Bochs needs `pci: enabled=1, chipset=i440fx` for
 * the bus master (tools/run writes it); Bochs 2.7 starts a transfer 1 ms
 * of its time after Start and then moves one PRD entry per timer tick
 * (about 0.27 ms for 4 KiB), so one page per request is slower there
 * than PIO: the swap writes go in clusters (vmm/swap/cluster.c). */
#include "kernel/ata_dma.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/mmu.h"
#include "kernel/pci.h"
#include "kernel/printf.h"
#include "kernel/timer.h"

#define PCI_CLASS_STORAGE 0x01
#define PCI_SUBCLASS_IDE 0x01
#define PCI_IDE_PROGIF_BUS_MASTER BIT(7) /* PCI IDE Controller Specification: prog-if bit 7 */
#define IDE_BM_BAR 4

#define BM_COMMAND 0
#define BM_STATUS 2
#define BM_PRD_TABLE 4
#define BM_CHANNEL_STRIDE 8
#define BM_CMD_START BIT(0)
#define BM_CMD_TO_MEMORY BIT(3)
#define BM_ST_ACTIVE BIT(0)
#define BM_ST_ERROR BIT(1)
#define BM_ST_INTERRUPT BIT(2)

#define PRD_END_OF_TABLE BIT(31)
#define FOUR_GIB (4ull * GiB)

#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_DC_SRST BIT(2) /* Device Control: software reset (clause 7) */

struct prd {
	uint32_t address;
	uint32_t count; /* with PRD_END_OF_TABLE in the last */
};

struct ata_dma_channel {
	uint16_t bm;                     /* this channel's bus master registers  */
	struct prd *prd;                 /* its PRD table                        */
	const struct ata_drive *owner;   /* whose request is in flight; NULL: idle */
	const char *cmd;                 /* the request, for the messages        */
	uint64_t sector;
	unsigned sectors;
	uint64_t deadline_ms;
};

/* 256-byte aligned: a table of BLOCK_REQUEST_PAGES entries (128 bytes)
 * never crosses a 64 KiB boundary, as the datasheet requires. */
static struct prd prd_tables[2][BLOCK_REQUEST_PAGES] __attribute__((aligned(256)));
static struct ata_dma_channel channels[2];
static bool found;

void ata_dma_probe(void)
{
	struct pci_fn f;
	if (pci_find_class(PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, &f)) {
		kprintf("memvisor: ata: no PCI IDE controller: PIO only\n");
		return;
	}
	uint32_t cls = pci_read32(f, PCI_CLASS), bar = pci_read32(f, PCI_BAR(IDE_BM_BAR));
	uint8_t progif = (uint8_t)(cls >> 8);
	if (!(progif & PCI_IDE_PROGIF_BUS_MASTER) || !(bar & PCI_BAR_IO) || !(bar & PCI_BAR_IO_MASK)) {
		kprintf("memvisor: ata: PCI IDE controller %02x:%02x.%u has no bus master (prog-if %#x, BAR4 %#x): "
			"PIO only\n", f.bus, f.dev, f.fn, progif, bar);
		return;
	}
	uint32_t cmd = pci_read32(f, PCI_COMMAND);
	pci_write32(f, PCI_COMMAND, (cmd & 0xffff) | PCI_COMMAND_IO | PCI_COMMAND_BUS_MASTER);
	uint16_t base = (uint16_t)(bar & PCI_BAR_IO_MASK);
	for (unsigned c = 0; c < 2; c++)
		channels[c] = (struct ata_dma_channel){ .bm = (uint16_t)(base + c * BM_CHANNEL_STRIDE),
							.prd = prd_tables[c] };
	found = true;
	kprintf("memvisor: ata: bus master at I/O %#x (PCI %02x:%02x.%u, vendor %#x device %#x)\n", base, f.bus,
		f.dev, f.fn, pci_read32(f, PCI_ID) & 0xffff, pci_read32(f, PCI_ID) >> 16);
}

struct ata_dma_channel *ata_dma_channel(unsigned channel)
{
	return found && channel < 2 ? &channels[channel] : NULL;
}

bool ata_dma_busy(const struct ata_drive *d)
{
	return d->dma->owner != NULL;
}

/* The physical address of a page buffer: the direct map, or the identity
 * map the kernel image lives in (kernel/mmu.h); false when the bus master
 * cannot use it (32-bit PRD addresses). */
static bool dma_address(const void *p, uint32_t *out)
{
	uintptr_t v = (uintptr_t)p;
	uint64_t pa;
	if (v & (PAGE_SIZE - 1))
		return false;
	if (v >= DIRECT_MAP_BASE)
		pa = v - DIRECT_MAP_BASE;
	else if (v < IDENTITY_MAP_SIZE)
		pa = v;
	else
		return false;
	if (pa >= FOUR_GIB)
		return false;
	*out = (uint32_t)pa;
	return true;
}

/* The DMA protocol (clause 9) with the bus master's steps (PIIX4, "Bus
 * Master IDE Operation"): PRD table, direction, status cleared, the
 * command to the device, and only then Start. */
int ata_dma_submit(struct ata_drive *d, const struct block_request *req)
{
	struct ata_dma_channel *ch = d->dma;
	for (unsigned i = 0; i < req->pages; i++) {
		uint32_t pa;
		if (!dma_address(req->page[i], &pa))
			return -E_RANGE;
		ch->prd[i] = (struct prd){ pa, PAGE_SIZE | (i + 1 == req->pages ? PRD_END_OF_TABLE : 0) };
	}
	uint32_t table;
	bool ok = dma_address((const void *)((uintptr_t)ch->prd & ~(uintptr_t)(PAGE_SIZE - 1)), &table);
	if (!ok)
		return -E_RANGE;
	table += (uint32_t)((uintptr_t)ch->prd & (PAGE_SIZE - 1));
	uint8_t dir = req->write ? 0 : BM_CMD_TO_MEMORY;
	outb((uint16_t)(ch->bm + BM_COMMAND), dir); /* stopped, direction set */
	outl((uint16_t)(ch->bm + BM_PRD_TABLE), table);
	outb((uint16_t)(ch->bm + BM_STATUS), BM_ST_ERROR | BM_ST_INTERRUPT);
	ch->owner = d;
	ch->cmd = req->write ? "WRITE DMA EXT" : "READ DMA EXT";
	ch->sector = req->sector;
	ch->sectors = req->pages * BLOCK_SECTORS_PER_PAGE;
	ch->deadline_ms = timer_ms() + ATA_TIMEOUT_MS;
	/* The stores to the PRD table and the pages (a write's data) are
	 * done before the OUTs below start the device (SDM Vol. 3A 9.2.2:
	 * I/O instructions are serializing for earlier stores). */
	ata_issue_ext(d, req->write ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT, req->sector,
		      (uint16_t)ch->sectors);
	outb((uint16_t)(ch->bm + BM_COMMAND), dir | BM_CMD_START);
	return 0;
}

/* After an error or a timeout: a software reset (clause 9, "Software
 * reset protocol") so that the next command finds the device idle. */
static void reset_channel(const struct ata_drive *d)
{
	outb(d->ctl, ATA_DC_SRST | ATA_DC_NIEN);
	for (int i = 0; i < 50; i++)
		(void)ata_alt_status(d); /* well over the 5 us SRST must be held */
	outb(d->ctl, ATA_DC_NIEN);
	uint64_t deadline = timer_ms() + ATA_TIMEOUT_MS;
	while ((ata_alt_status(d) & ATA_SR_BSY) && timer_ms() <= deadline)
		cpu_pause();
}

/* The transfer ended (or timed out): the bus master stopped, the
 * device's Status read (clearing its interrupt), every error reported. */
static int finish(struct ata_drive *d, bool timed_out)
{
	struct ata_dma_channel *ch = d->dma;
	outb((uint16_t)(ch->bm + BM_COMMAND), inb((uint16_t)(ch->bm + BM_COMMAND)) & (uint8_t)~BM_CMD_START);
	uint8_t bm = inb((uint16_t)(ch->bm + BM_STATUS));
	uint8_t status = ata_reg_in(d, ATA_STATUS);
	outb((uint16_t)(ch->bm + BM_STATUS), BM_ST_ERROR | BM_ST_INTERRUPT);
	ch->owner = NULL;
	char what[64];
	int rc = 0;
	if (timed_out) {
		ksnprintf(what, sizeof(what), "timeout, %u sectors (bus master status %#x)", ch->sectors, bm);
		rc = ata_report(d, ch->cmd, ch->sector, status, what);
	} else if (status & (ATA_SR_ERR | ATA_SR_DF)) {
		rc = ata_check_status(d, ch->cmd, ch->sector, status);
	} else if (bm & BM_ST_ERROR) {
		ksnprintf(what, sizeof(what), "bus master error, %u sectors (bus master status %#x)", ch->sectors, bm);
		rc = ata_report(d, ch->cmd, ch->sector, status, what);
	}
	if (rc)
		reset_channel(d);
	return rc;
}

int ata_dma_poll(struct ata_drive *d)
{
	struct ata_dma_channel *ch = d->dma;
	if (ch->owner != d)
		return -E_INVAL;
	uint8_t bm = inb((uint16_t)(ch->bm + BM_STATUS)), s = ata_alt_status(d);
	/* Done: the device no longer busy, and the bus master through its
	 * table (Active clear) or told of the device's interrupt; or the
	 * device stopped with an error, whatever the bus master says. */
	bool device_done = !(s & ATA_SR_BSY);
	if (device_done && (!(bm & BM_ST_ACTIVE) || (bm & BM_ST_INTERRUPT) || (s & (ATA_SR_ERR | ATA_SR_DF))))
		return finish(d, false);
	if (timer_ms() > ch->deadline_ms)
		return finish(d, true);
	return -E_AGAIN;
}
