/* kernel/ata_dma.h — bus-master DMA for the ATA driver (kernel/ata.c): the
 * PIIX/PIIX3/PIIX4 IDE function's Bus Master IDE registers, found on PCI
 * (class 01h, subclass 01h, BAR4). Internal to the driver: the rest of
 * memvisor sees kernel/block.h. */
#ifndef MEMVISOR_ATA_DMA_H
#define MEMVISOR_ATA_DMA_H

#include "kernel/ata_regs.h"

/* Finds the IDE controller on PCI and turns its bus mastering on; prints
 * one line saying which. Quiet and harmless when there is none. */
void ata_dma_probe(void);
/* The bus master of channel 0 (primary) or 1, or NULL: PIO only. */
struct ata_dma_channel *ata_dma_channel(unsigned channel);
/* A request of some drive on d's channel is in flight. */
bool ata_dma_busy(const struct ata_drive *d);
/* Starts a READ DMA EXT or WRITE DMA EXT; 0, or -E_RANGE when a buffer
 * lies where the bus master cannot reach it (above 4 GiB, or not page-
 * aligned): the caller then uses PIO. The channel must be idle. */
int ata_dma_submit(struct ata_drive *d, const struct block_request *req);
/* -E_AGAIN while the transfer runs; then 0, or -E_IO after the error was
 * printed with the command and the sector. */
int ata_dma_poll(struct ata_drive *d);

#endif
