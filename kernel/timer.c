/* kernel/timer.c — 8254 PIT channel 0 through the 8259A PIC: a tick counter
 * the scheduler will use. The PIT and PIC exist on every PC and emulator
 * memvisor targets (QEMU, Bochs), in BIOS and UEFI boots alike; the LAPIC
 * timer would need calibrating against one of them anyway.
 * See: Intel 8254 datasheet (mode 2, rate generator); 8259A datasheet
 * (ICW1-ICW4, OCW1 mask, OCW2 EOI). */
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/timer.h"
#include "kernel/trap.h"

#define PIT_FREQUENCY_HZ 1193182
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_CH0_LOHI_MODE2 0x34 /* channel 0, lobyte/hibyte, mode 2, binary */

#define PIC1_COMMAND 0x20
#define PIC1_DATA 0x21
#define PIC2_COMMAND 0xa0
#define PIC2_DATA 0xa1
#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086 0x01
#define PIC_CASCADE_IRQ 2
#define PIC_EOI 0x20
#define IRQ_TIMER 0

static volatile uint64_t ticks;
static unsigned hz_now;

static void pic_remap_and_mask(uint8_t master_mask, uint8_t slave_mask)
{
	outb(PIC1_COMMAND, PIC_ICW1_INIT_ICW4);
	outb(PIC2_COMMAND, PIC_ICW1_INIT_ICW4);
	outb(PIC1_DATA, VECTOR_IRQ_BASE);          /* ICW2: IRQ 0-7 → 32-39  */
	outb(PIC2_DATA, VECTOR_IRQ_BASE + 8);      /* ICW2: IRQ 8-15 → 40-47 */
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ);     /* ICW3: slave on IRQ 2   */
	outb(PIC2_DATA, PIC_CASCADE_IRQ);          /* ICW3: cascade identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, master_mask);
	outb(PIC2_DATA, slave_mask);
}

static void timer_irq(struct trap_frame *tf)
{
	(void)tf;
	ticks++;
	outb(PIC1_COMMAND, PIC_EOI);
}

void timer_init(unsigned hz)
{
	uint32_t divisor = PIT_FREQUENCY_HZ / hz;
	ASSERT(divisor > 0 && divisor <= 0xffff);
	hz_now = hz;
	irq_set_handler(IRQ_TIMER, timer_irq);
	pic_remap_and_mask((uint8_t)~(1u << IRQ_TIMER), 0xff);
	outb(PIT_COMMAND, PIT_CH0_LOHI_MODE2);
	outb(PIT_CHANNEL0, divisor & 0xff);
	outb(PIT_CHANNEL0, divisor >> 8);
}

static uint64_t tsc_khz_measured;

/* Over TSC_CALIBRATION_MS of ticks, from one tick edge to another. Under
 * an emulator both clocks follow its virtual time, so they agree. */
#define TSC_CALIBRATION_MS 50

void tsc_calibrate(void)
{
	uint64_t n = MAX(1, (uint64_t)hz_now * TSC_CALIBRATION_MS / 1000), t0 = ticks;
	while (ticks == t0)
		cpu_halt();
	uint64_t start = rdtsc(), t1 = ticks;
	while (ticks - t1 < n)
		cpu_halt();
	tsc_khz_measured = (rdtsc() - start) * hz_now / (n * 1000);
}

uint64_t tsc_khz(void)
{
	return tsc_khz_measured;
}

uint64_t timer_ticks(void)
{
	return ticks;
}

unsigned timer_hz(void)
{
	return hz_now;
}

uint64_t timer_ms(void)
{
	return timer_ticks() * 1000 / timer_hz();
}
