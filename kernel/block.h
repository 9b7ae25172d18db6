/* kernel/block.h — a block device as the rest of memvisor sees it: a name,
 * a size in 512-byte sectors, and requests of whole 4 KiB pages by sector
 * number. The one implementation is the ATA driver (kernel/ata.c): bus-
 * master DMA where the controller has it (kernel/ata_dma.c), polled PIO
 * otherwise.
 *
 * A request is n consecutive pages of the disk (n <= BLOCK_REQUEST_PAGES)
 * to or from n page buffers anywhere in memory: one device command. The
 * device takes one request at a time:
 *
 *   block_submit() ──▶ in flight ──block_poll()──▶ -E_AGAIN ... 0 / -E_IO
 *
 * With DMA the CPU is free while a request is in flight: the caller polls
 * when it likes (memvisor: at each scheduling point). With PIO the CPU
 * moves every word inside block_submit(), and the first poll gives the
 * result. block_read_page(), block_write_page() and block_rw() wait for
 * the result; block_wait() waits for one submitted before. */
#ifndef MEMVISOR_BLOCK_H
#define MEMVISOR_BLOCK_H

#include "kernel/errno.h"
#include "kernel/io.h"
#include "kernel/types.h"

#define BLOCK_SECTOR_SIZE 512u
#define BLOCK_SECTORS_PER_PAGE (PAGE_SIZE / BLOCK_SECTOR_SIZE)
#define BLOCK_NAME_MAX 16
#define BLOCK_REQUEST_PAGES 16 /* 64 KiB: one PRD table entry a page (kernel/ata_dma.c) */

struct block_dev;

struct block_request {
	bool write;
	uint64_t sector;                     /* the first page's first sector */
	unsigned pages;                      /* 1 .. BLOCK_REQUEST_PAGES      */
	void *page[BLOCK_REQUEST_PAGES];     /* page-aligned buffers          */
};

struct block_ops {
	/* Starts `req` (copied: the caller's may go): 0; -E_RANGE past the
	 * end of the disk, -E_INVAL for 0 or too many pages, -E_BUSY while
	 * the previous request is in flight. */
	int (*submit)(struct block_dev *dev, const struct block_request *req);
	/* -E_AGAIN while the request is in flight; then its result, once:
	 * 0, or -E_IO after the driver printed what failed. -E_INVAL when
	 * nothing was submitted. */
	int (*poll)(struct block_dev *dev);
};

struct block_dev {
	char name[BLOCK_NAME_MAX]; /* e.g. "ata0-slave"                  */
	uint64_t sectors;          /* 512-byte sectors the device holds */
	const char *mode;          /* "dma" or "pio", for the boot lines */
	bool async;                /* the CPU is free while a request is in flight (DMA) */
	const struct block_ops *ops;
	void *driver;              /* the driver's own state            */
};

/* Every disk found at boot (kernel/ata.c fills this list). */
#define BLOCK_DEVS_MAX 4
extern struct block_dev block_devs[BLOCK_DEVS_MAX];
extern unsigned block_dev_count;

static inline int block_submit(struct block_dev *dev, const struct block_request *req)
{
	return dev->ops->submit(dev, req);
}

static inline int block_poll(struct block_dev *dev)
{
	return dev->ops->poll(dev);
}

/* Waits for the result of the request in flight. */
static inline int block_wait(struct block_dev *dev)
{
	int rc;
	while ((rc = block_poll(dev)) == -E_AGAIN)
		cpu_pause();
	return rc;
}

/* Submits and waits for the result. */
static inline int block_rw(struct block_dev *dev, const struct block_request *req)
{
	int rc = block_submit(dev, req);
	return rc ? rc : block_wait(dev);
}

static inline int block_read_page(struct block_dev *dev, uint64_t sector, void *page)
{
	struct block_request r = { .write = false, .sector = sector, .pages = 1, .page = { page } };
	return block_rw(dev, &r);
}

static inline int block_write_page(struct block_dev *dev, uint64_t sector, const void *page)
{
	struct block_request r = { .write = true, .sector = sector, .pages = 1, .page = { (void *)page } };
	return block_rw(dev, &r);
}

#endif
