/* kernel/ata.c — the legacy ATA channels (see ata.h): the disks found,
 * the block ops, and polled PIO, the way when there is no bus master
 * (DMA: kernel/ata_dma.c). Following ATA/ATAPI-6 (T13/1410D rev. 3b): the
 * registers from its clause 7 "Register descriptions", the commands from
 * clause 8 (IDENTIFY DEVICE, READ SECTOR(S) EXT, WRITE SECTOR(S) EXT),
 * the protocols from clause 9 (PIO data-in, PIO data-out); sections
 * below are named, as their numbers differ between revisions. */
#include "kernel/ata.h"
#include "kernel/ata_dma.h"
#include "kernel/ata_regs.h"
#include "kernel/block.h"
#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/timer.h"

/* Error register (clause 7, "Error register"). */
#define ATA_ER_AMNF BIT(0)
#define ATA_ER_NM BIT(1)
#define ATA_ER_ABRT BIT(2)
#define ATA_ER_MCR BIT(3)
#define ATA_ER_IDNF BIT(4)
#define ATA_ER_MC BIT(5)
#define ATA_ER_UNC BIT(6)
#define ATA_ER_ICRC BIT(7)

#define ATA_CMD_READ_SECTORS_EXT 0x24
#define ATA_CMD_WRITE_SECTORS_EXT 0x34
#define ATA_CMD_IDENTIFY_DEVICE 0xec
/* A packet device aborts IDENTIFY DEVICE and leaves its signature in
 * LBA Mid/High (clause 9, "Signature and persistence"). */
#define ATAPI_SIG_MID 0x14
#define ATAPI_SIG_HIGH 0xeb
/* An empty channel's pulled-up data lines read as all ones. */
#define ATA_FLOATING_BUS 0xff

#define ATA_SECTOR_DWORDS (BLOCK_SECTOR_SIZE / 4)

static struct ata_drive drives[] = {
	{ 0x1f0, 0x3f6, false, 0, "ata0-master", { 0 }, NULL, false, 0 },
	{ 0x1f0, 0x3f6, true, 0, "ata0-slave", { 0 }, NULL, false, 0 },
	{ 0x170, 0x376, false, 1, "ata1-master", { 0 }, NULL, false, 0 },
	{ 0x170, 0x376, true, 1, "ata1-slave", { 0 }, NULL, false, 0 },
};

struct block_dev block_devs[BLOCK_DEVS_MAX];
unsigned block_dev_count;

static void reg_out(const struct ata_drive *d, enum ata_reg r, uint8_t v)
{
	outb((uint16_t)(d->base + r), v);
}

/* 400 ns after a write to Command or Device before Status means anything
 * (clause 9): four reads of Alternate Status, which clears nothing. */
static uint8_t settle(const struct ata_drive *d)
{
	uint8_t s = 0;
	for (int i = 0; i < 4; i++)
		s = inb(d->ctl);
	return s;
}

/* "ERR DF" etc.: the bits set, by the standard's names. */
static void bit_names(char *out, size_t n, uint8_t v, const char *const names[8])
{
	size_t at = 0;
	out[0] = '\0';
	for (int b = 7; b >= 0; b--)
		if (v & BIT(b) && names[b][0])
			at += (size_t)ksnprintf(out + at, n - at, "%s%s", at ? " " : "", names[b]);
}

int ata_report(const struct ata_drive *d, const char *cmd, uint64_t sector, uint8_t status, const char *what)
{
	static const char *const sr[8] = { "ERR", "", "", "DRQ", "", "DF", "DRDY", "BSY" };
	static const char *const er[8] = { "AMNF", "NM", "ABRT", "MCR", "IDNF", "MC", "UNC", "ICRC" };
	char sbits[48], ebits[48];
	uint8_t err = status & ATA_SR_ERR ? ata_reg_in(d, ATA_ERROR) : 0;
	bit_names(sbits, sizeof(sbits), status, sr);
	bit_names(ebits, sizeof(ebits), err, er);
	kprintf("memvisor: ata: %s: %s at sector %llu: %s (status %#x [%s], error %#x [%s])\n", d->name, cmd,
		(unsigned long long)sector, what, status, sbits, err, ebits);
	return -E_IO;
}

int ata_check_status(const struct ata_drive *d, const char *cmd, uint64_t sector, uint8_t status)
{
	if (status & (ATA_SR_ERR | ATA_SR_DF))
		return ata_report(d, cmd, sector, status,
				  status & ATA_SR_DF ? "device fault" : "the device reports an error");
	return 0;
}

/* Waits until BSY is clear and then for `want` (DRQ, or 0); any ERR or DF
 * is reported with the command and the sector. */
static int wait_ready(const struct ata_drive *d, const char *cmd, uint64_t sector, uint8_t want)
{
	uint64_t deadline = timer_ms() + ATA_TIMEOUT_MS;
	for (;;) {
		uint8_t s = ata_reg_in(d, ATA_STATUS);
		if (!(s & ATA_SR_BSY)) {
			if (s & (ATA_SR_ERR | ATA_SR_DF))
				return ata_check_status(d, cmd, sector, s);
			if ((s & want) == want)
				return 0;
		}
		if (timer_ms() > deadline)
			return ata_report(d, cmd, sector, s, "timeout");
		cpu_pause();
	}
}

static void select_drive(const struct ata_drive *d, uint8_t extra)
{
	reg_out(d, ATA_DEVICE, (uint8_t)(ATA_DEV_OBSOLETE | extra | (d->slave ? ATA_DEV_SLAVE : 0)));
	settle(d);
}

/* The 48-bit registers are two-deep FIFOs: the high-order bytes go in
 * first, then the low ones (clause 6, "48-bit Address feature set"). */
void ata_issue_ext(const struct ata_drive *d, uint8_t cmd, uint64_t lba, uint16_t count)
{
	outb(d->ctl, ATA_DC_NIEN);
	select_drive(d, ATA_DEV_LBA);
	reg_out(d, ATA_COUNT, (uint8_t)(count >> 8));
	reg_out(d, ATA_LBA_LOW, (uint8_t)(lba >> 24));
	reg_out(d, ATA_LBA_MID, (uint8_t)(lba >> 32));
	reg_out(d, ATA_LBA_HIGH, (uint8_t)(lba >> 40));
	reg_out(d, ATA_COUNT, (uint8_t)count);
	reg_out(d, ATA_LBA_LOW, (uint8_t)lba);
	reg_out(d, ATA_LBA_MID, (uint8_t)(lba >> 8));
	reg_out(d, ATA_LBA_HIGH, (uint8_t)(lba >> 16));
	reg_out(d, ATA_COMMAND, cmd);
	settle(d);
}

/* 32-bit accesses to the Data register: PIIX and both emulators take
 * them, half as many I/O instructions as 16-bit ones. */
static void data_in(const struct ata_drive *d, void *buf, uint32_t dwords)
{
	__asm__ volatile("rep insl" : "+D"(buf), "+c"(dwords) : "d"((uint16_t)(d->base + ATA_DATA)) : "memory");
}

static void data_out(const struct ata_drive *d, const void *buf, uint32_t dwords)
{
	__asm__ volatile("rep outsl" : "+S"(buf), "+c"(dwords) : "d"((uint16_t)(d->base + ATA_DATA)) : "memory");
}

static int check_request(const struct block_dev *dev, const struct block_request *req)
{
	if (!req->pages || req->pages > BLOCK_REQUEST_PAGES)
		return -E_INVAL;
	uint64_t n = (uint64_t)req->pages * BLOCK_SECTORS_PER_PAGE;
	return req->sector > dev->sectors || n > dev->sectors - req->sector ? -E_RANGE : 0;
}

/* PIO data-in protocol (clause 9): per sector, wait for DRQ, then read 512 bytes. */
static int pio_read(const struct ata_drive *d, const struct block_request *req)
{
	unsigned sectors = req->pages * BLOCK_SECTORS_PER_PAGE;
	ata_issue_ext(d, ATA_CMD_READ_SECTORS_EXT, req->sector, (uint16_t)sectors);
	for (unsigned i = 0; i < sectors; i++) {
		int rc = wait_ready(d, "READ SECTORS EXT", req->sector + i, ATA_SR_DRQ);
		if (rc)
			return rc;
		uint8_t *page = req->page[i / BLOCK_SECTORS_PER_PAGE];
		data_in(d, page + i % BLOCK_SECTORS_PER_PAGE * BLOCK_SECTOR_SIZE, ATA_SECTOR_DWORDS);
	}
	return 0;
}

/* PIO data-out protocol (clause 9): per sector, wait for DRQ, write 512 bytes; after
 * the last, wait for BSY to clear and check the outcome. */
static int pio_write(const struct ata_drive *d, const struct block_request *req)
{
	unsigned sectors = req->pages * BLOCK_SECTORS_PER_PAGE;
	ata_issue_ext(d, ATA_CMD_WRITE_SECTORS_EXT, req->sector, (uint16_t)sectors);
	for (unsigned i = 0; i < sectors; i++) {
		/* The device asks for sector i only once sector i - 1 is
		 * written: an error here is that sector's (the first's at i = 0). */
		int rc = wait_ready(d, "WRITE SECTORS EXT", req->sector + (i ? i - 1 : 0), ATA_SR_DRQ);
		if (rc)
			return rc;
		const uint8_t *page = req->page[i / BLOCK_SECTORS_PER_PAGE];
		data_out(d, page + i % BLOCK_SECTORS_PER_PAGE * BLOCK_SECTOR_SIZE, ATA_SECTOR_DWORDS);
	}
	return wait_ready(d, "WRITE SECTORS EXT", req->sector + sectors - 1, 0);
}

/* DMA when the channel has a bus master and the buffers lie where it can
 * reach them; else PIO, done before this returns (its result waits for
 * the first poll). */
static int ata_submit(struct block_dev *dev, const struct block_request *req)
{
	struct ata_drive *d = dev->driver;
	int rc = check_request(dev, req);
	if (rc)
		return rc;
	if (d->pio_done || (d->dma && ata_dma_busy(d)))
		return -E_BUSY;
	if (d->dma && ata_dma_submit(d, req) == 0)
		return 0;
	d->pio_rc = req->write ? pio_write(d, req) : pio_read(d, req);
	d->pio_done = true;
	return 0;
}

static int ata_poll(struct block_dev *dev)
{
	struct ata_drive *d = dev->driver;
	if (d->pio_done) {
		d->pio_done = false;
		return d->pio_rc;
	}
	if (d->dma && ata_dma_busy(d))
		return ata_dma_poll(d);
	return -E_INVAL;
}

static const struct block_ops ata_ops = { ata_submit, ata_poll };

/* IDENTIFY DEVICE at one position; 0 with d->id filled for a disk. */
static int identify(struct ata_drive *d)
{
	uint16_t words[ATA_IDENTIFY_WORDS];
	outb(d->ctl, ATA_DC_NIEN);
	select_drive(d, 0);
	uint8_t s = ata_reg_in(d, ATA_STATUS);
	if (s == ATA_FLOATING_BUS || s == 0)
		return -E_NOT_FOUND; /* no channel, or nothing at this position */
	reg_out(d, ATA_COUNT, 0);
	reg_out(d, ATA_LBA_LOW, 0);
	reg_out(d, ATA_LBA_MID, 0);
	reg_out(d, ATA_LBA_HIGH, 0);
	reg_out(d, ATA_COMMAND, ATA_CMD_IDENTIFY_DEVICE);
	if (settle(d) == 0)
		return -E_NOT_FOUND;
	uint64_t deadline = timer_ms() + ATA_TIMEOUT_MS;
	while ((s = ata_reg_in(d, ATA_STATUS)) & ATA_SR_BSY)
		if (timer_ms() > deadline)
			return ata_report(d, "IDENTIFY DEVICE", 0, s, "timeout");
	if (ata_reg_in(d, ATA_LBA_MID) == ATAPI_SIG_MID && ata_reg_in(d, ATA_LBA_HIGH) == ATAPI_SIG_HIGH)
		return -E_NOT_FOUND; /* a packet device (the CD-ROM): not a disk */
	/* Aborted: no device answers here (QEMU answers for an absent master
	 * whose slave exists); the command is not one to report. */
	if (s & ATA_SR_ERR)
		return -E_NOT_FOUND;
	int rc = wait_ready(d, "IDENTIFY DEVICE", 0, ATA_SR_DRQ);
	if (rc)
		return rc;
	data_in(d, words, sizeof(words) / 4);
	return ata_identify_parse(words, &d->id);
}

void ata_probe(bool dma)
{
	if (dma)
		ata_dma_probe();
	for (unsigned i = 0; i < ARRAY_SIZE(drives) && block_dev_count < BLOCK_DEVS_MAX; i++) {
		struct ata_drive *d = &drives[i];
		int rc = identify(d);
		if (rc == -E_NOT_SUPPORTED)
			kprintf("memvisor: ata: %s: a disk without the 48-bit Address feature set: not used\n", d->name);
		if (rc)
			continue;
		struct block_dev *b = &block_devs[block_dev_count++];
		str_copy(b->name, d->name, sizeof(b->name));
		b->sectors = d->id.sectors;
		b->ops = &ata_ops;
		b->driver = d;
		d->dma = d->id.dma ? ata_dma_channel(d->channel) : NULL;
		b->async = d->dma != NULL;
		b->mode = d->dma ? "dma" : "pio";
		kprintf("memvisor: ata: %s: %llu sectors (%llu MiB), model '%s', %s\n", d->name,
			(unsigned long long)b->sectors, (unsigned long long)(b->sectors * BLOCK_SECTOR_SIZE / MiB),
			d->id.model, d->dma ? "bus-master DMA" : !dma ? "PIO (swap_io=pio)" : d->id.dma ? "PIO (no bus master found)"
									       : "PIO (no DMA on the disk)");
	}
}
