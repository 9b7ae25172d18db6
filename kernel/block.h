/* kernel/block.h — a block device as the rest of memvisor sees it: a name,
 * a size in 512-byte sectors, and whole 4 KiB pages read and written by
 * sector number. The one implementation today is the ATA driver's polled
 * PIO (kernel/ata.c); a bus-master DMA one with completion by interrupt
 * can stand behind the same two calls (the caller then waits off the CPU). */
#ifndef MEMVISOR_BLOCK_H
#define MEMVISOR_BLOCK_H

#include "kernel/types.h"

#define BLOCK_SECTOR_SIZE 512u
#define BLOCK_SECTORS_PER_PAGE (PAGE_SIZE / BLOCK_SECTOR_SIZE)
#define BLOCK_NAME_MAX 16

struct block_dev;

struct block_ops {
	/* One page, BLOCK_SECTORS_PER_PAGE sectors from `sector`; 0, or
	 * -E_IO after the driver printed what failed, or -E_RANGE. */
	int (*read_page)(struct block_dev *dev, uint64_t sector, void *page);
	int (*write_page)(struct block_dev *dev, uint64_t sector, const void *page);
};

struct block_dev {
	char name[BLOCK_NAME_MAX]; /* e.g. "ata0-slave"                  */
	uint64_t sectors;          /* 512-byte sectors the device holds */
	const struct block_ops *ops;
	void *driver;              /* the driver's own state            */
};

/* Every disk found at boot (kernel/ata.c fills this list). */
#define BLOCK_DEVS_MAX 4
extern struct block_dev block_devs[BLOCK_DEVS_MAX];
extern unsigned block_dev_count;

static inline int block_read_page(struct block_dev *dev, uint64_t sector, void *page)
{
	return dev->ops->read_page(dev, sector, page);
}

static inline int block_write_page(struct block_dev *dev, uint64_t sector, const void *page)
{
	return dev->ops->write_page(dev, sector, page);
}

#endif
