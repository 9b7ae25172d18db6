/* kernel/ata_regs.h — what kernel/ata.c (probe, PIO) and kernel/ata_dma.c
 * (bus-master DMA) share: the registers of ATA/ATAPI-6 (T13/1410D rev.
 * 3b) clause 7 "Register descriptions", a drive's ports, and the steps
 * both transfer modes take (select, issue a 48-bit command, wait, report).
 * Not for use outside the ATA driver: the rest of memvisor sees
 * kernel/block.h. */
#ifndef MEMVISOR_ATA_REGS_H
#define MEMVISOR_ATA_REGS_H

#include "kernel/ata_identify.h"
#include "kernel/block.h"
#include "kernel/types.h"

/* Command block registers, as offsets from the channel's base port. */
enum ata_reg {
	ATA_DATA = 0,
	ATA_ERROR = 1, /* read; FEATURES when written */
	ATA_COUNT = 2,
	ATA_LBA_LOW = 3,
	ATA_LBA_MID = 4,
	ATA_LBA_HIGH = 5,
	ATA_DEVICE = 6,
	ATA_STATUS = 7, /* read; COMMAND when written */
};
#define ATA_COMMAND ATA_STATUS

/* Status register (clause 7, "Status register"). */
#define ATA_SR_ERR BIT(0)
#define ATA_SR_DRQ BIT(3)
#define ATA_SR_DF BIT(5)
#define ATA_SR_DRDY BIT(6)
#define ATA_SR_BSY BIT(7)
/* Device register (clause 7, "Device register"): LBA addressing, DEV selects the slave; bits 7
 * and 5 are obsolete and set, as older devices expect. */
#define ATA_DEV_OBSOLETE 0xa0u
#define ATA_DEV_LBA BIT(6)
#define ATA_DEV_SLAVE BIT(4)
/* Device Control register (clause 7): nIEN masks INTRQ — this driver polls. */
#define ATA_DC_NIEN BIT(1)

#define ATA_TIMEOUT_MS 5000 /* emulators answer in microseconds; a real disk spins up in seconds */

struct ata_dma_channel; /* kernel/ata_dma.c */

struct ata_drive {
	uint16_t base, ctl; /* command block, control block (Alternate Status) */
	bool slave;
	unsigned channel;   /* 0 primary, 1 secondary */
	const char *name;
	struct ata_identity id;
	struct ata_dma_channel *dma; /* NULL: PIO only */
	bool pio_done;      /* a PIO request done in submit, its result not polled yet */
	int pio_rc;
};

static inline uint8_t ata_reg_in(const struct ata_drive *d, enum ata_reg r)
{
	return inb((uint16_t)(d->base + r));
}

static inline uint8_t ata_alt_status(const struct ata_drive *d)
{
	return inb(d->ctl);
}

/* Prints "ata: NAME: CMD at sector S: WHAT (status [bits], error [bits])"
 * with the Error register decoded when ERR is set; returns -E_IO. */
int ata_report(const struct ata_drive *d, const char *cmd, uint64_t sector, uint8_t status, const char *what);
/* Selects the drive, loads the 48-bit LBA and count, writes the command. */
void ata_issue_ext(const struct ata_drive *d, uint8_t cmd, uint64_t lba, uint16_t count);
/* The device's final status after a command: ERR or DF reported with
 * the command and the sector (-E_IO), else 0. */
int ata_check_status(const struct ata_drive *d, const char *cmd, uint64_t sector, uint8_t status);

#endif
