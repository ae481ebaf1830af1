/*
 * startup.c — reset vector and C runtime start of the demo firmware
 * (Armv7-M ARM B1.5.3 vector table: word 0 initial SP, word 1 reset).
 * The reset handler copies .data from flash, zeroes .bss, then calls
 * demo_main. Built with -nostdlib: no libc, so the copies are plain loops.
 */
#include <stdint.h>

#include "demo.h"

/* Symbols from demo-f103.ld. */
extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

void demo_reset(void);
static void demo_fault(void);

/* Core exceptions 0..15 only: the demo enables no peripheral interrupt. */
__attribute__((section(".isr_vector"), used)) static void (*const demo_vectors[16])(void) = {
	(void (*)(void))(uintptr_t)&_estack, /* initial MSP */
	demo_reset,                          /* Reset */
	demo_fault,                          /* NMI */
	demo_fault,                          /* HardFault */
	demo_fault,                          /* MemManage */
	demo_fault,                          /* BusFault */
	demo_fault,                          /* UsageFault */
	0, 0, 0, 0,                          /* reserved */
	demo_fault,                          /* SVCall */
	demo_fault,                          /* DebugMonitor */
	0,                                   /* reserved */
	demo_fault,                          /* PendSV */
	demo_fault,                          /* SysTick */
};

/* Any fault parks the core where a debugger can see it. */
static void demo_fault(void)
{
	for (;;)
		;
}

__attribute__((noreturn)) void demo_reset(void)
{
	uint32_t *src = &_sidata;

#if DEMO_SWD_OFF
	/* the seed failure of the project: SWD is gone before any other instruction */
	demo_swd_off();
#endif
	for (uint32_t *dst = &_sdata; dst < &_edata;)
		*dst++ = *src++;
	for (uint32_t *dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	demo_main();
}
