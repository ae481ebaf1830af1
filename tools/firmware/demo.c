/*
 * demo.c — the demo firmware: blink PC13 (the LED of common F103 boards;
 * PD12 on the F407 build) with a busy-wait delay, count a heartbeat in
 * SRAM and copy the serial number gang wrote (DEMO_SERIAL_ADDR) into RAM.
 * References: RM0008 §7.3.7 (RCC_APB2ENR), §9.2.2 (GPIOx_CRH), §9.2.4
 * (GPIOx_ODR), §9.4.2 (AFIO_MAPR); RM0090 §6.3.10, §8.4.1, §8.4.6 (F4);
 * RM0444 §5.4.13, §7.4 (G0: PA5); RM0351 §6.4.17, §8.5 (L4: PA5);
 * RM0367 §7.3.12, §9.4.1, §9.4.6 (L053, serial in data EEPROM).
 * RM0456 §11.8.27, §13.4 (U5: PC7, GPIOA at 0x42020000).
 */
#include "demo.h"

__attribute__((section(".demo_state"), used)) volatile demo_state demo = {
	.magic = DEMO_MAGIC,
	.swd_off = DEMO_SWD_OFF,
};

/* In .bss: the reset handler must zero it for the LED to start off. */
static volatile uint32_t demo_led;

#if DEMO_U5
void demo_swd_off(void)
{
	DEMO_RCC_AHB2ENR1 |= DEMO_RCC_AHB2ENR1_GPIOAEN;
	DEMO_GPIOA_MODER = (DEMO_GPIOA_MODER & ~DEMO_GPIOA_MODER_SWD_MASK) | DEMO_GPIOA_MODER_SWD_OUT;
}

static void demo_led_init(void)
{
	DEMO_RCC_AHB2ENR1 |= DEMO_RCC_AHB2ENR1_GPIOCEN;
	DEMO_GPIOC_MODER = (DEMO_GPIOC_MODER & ~(0x3U << (2U * DEMO_LED_PIN))) | (0x1U << (2U * DEMO_LED_PIN));
}

static void demo_led_set(uint32_t on)
{
	if (on)
		DEMO_GPIOC_ODR |= 1U << DEMO_LED_PIN;
	else
		DEMO_GPIOC_ODR &= ~(1U << DEMO_LED_PIN);
}
#elif DEMO_G0 || DEMO_L4 || DEMO_L0
void demo_swd_off(void)
{
	DEMO_RCC_GPIOEN |= DEMO_RCC_GPIOAEN;
	DEMO_GPIOA_MODER = (DEMO_GPIOA_MODER & ~DEMO_GPIOA_MODER_SWD_MASK) | DEMO_GPIOA_MODER_SWD_OUT;
}

static void demo_led_init(void)
{
	DEMO_RCC_GPIOEN |= DEMO_RCC_GPIOAEN;
	DEMO_GPIOA_MODER = (DEMO_GPIOA_MODER & ~(0x3U << (2U * DEMO_LED_PIN))) | (0x1U << (2U * DEMO_LED_PIN));
}

static void demo_led_set(uint32_t on)
{
	if (on)
		DEMO_GPIOA_ODR |= 1U << DEMO_LED_PIN;
	else
		DEMO_GPIOA_ODR &= ~(1U << DEMO_LED_PIN);
}
#elif DEMO_F4
void demo_swd_off(void)
{
	DEMO_RCC_AHB1ENR |= DEMO_RCC_AHB1ENR_GPIOAEN;
	DEMO_GPIOA_MODER = (DEMO_GPIOA_MODER & ~DEMO_GPIOA_MODER_SWD_MASK) | DEMO_GPIOA_MODER_SWD_OUT;
}

static void demo_led_init(void)
{
	DEMO_RCC_AHB1ENR |= DEMO_RCC_AHB1ENR_GPIODEN;
	DEMO_GPIOD_MODER = (DEMO_GPIOD_MODER & ~(0x3U << (2U * DEMO_LED_PIN))) | (0x1U << (2U * DEMO_LED_PIN));
}

static void demo_led_set(uint32_t on)
{
	if (on)
		DEMO_GPIOD_ODR |= 1U << DEMO_LED_PIN;
	else
		DEMO_GPIOD_ODR &= ~(1U << DEMO_LED_PIN);
}
#else
void demo_swd_off(void)
{
	DEMO_RCC_APB2ENR |= DEMO_RCC_APB2ENR_AFIOEN;
	/* SWJ_CFG is write-only (reads are undefined): write the whole word, never read-modify-write */
	DEMO_AFIO_MAPR = DEMO_AFIO_MAPR_SWJ_OFF;
}

static void demo_led_init(void)
{
	DEMO_RCC_APB2ENR |= DEMO_RCC_APB2ENR_IOPCEN;
	DEMO_GPIOC_CRH = (DEMO_GPIOC_CRH & ~(0xFU << DEMO_CRH_PC13_SHIFT)) |
			 (DEMO_CRH_OUT_PP_2MHZ << DEMO_CRH_PC13_SHIFT);
}

static void demo_led_set(uint32_t on)
{
	if (on)
		DEMO_GPIOC_ODR |= 1U << DEMO_PC13;
	else
		DEMO_GPIOC_ODR &= ~(1U << DEMO_PC13);
}
#endif

static void demo_delay(void)
{
	for (volatile uint32_t i = 0; i < DEMO_DELAY_LOOPS; i++)
		;
}

void demo_main(void)
{
	demo_led_init();
	for (;;) {
		/* read each time: gang may program the slot while the firmware runs under a debugger */
		demo.serial = *(volatile const uint32_t *)DEMO_SERIAL_ADDR;
		demo_led ^= 1U;
		demo_led_set(demo_led);
		demo.heartbeat++;
		/* the late variant: answers on SWD for a while, as behind a bootloader's wait, then not */
		if (DEMO_SWD_OFF_AFTER && demo.heartbeat == DEMO_SWD_OFF_AFTER)
			demo_swd_off();
		demo_delay();
	}
}
