/*
 * demo.h — registers and state of the demo firmware, for STM32F103
 * (RM0008 §7.3 RCC, §9.2 GPIO, §9.4 AFIO) and, built with DEMO_F4=1, for
 * STM32F407 (RM0090 §6.3.10 RCC_AHB1ENR, §8.4.1 GPIOx_MODER, §8.4.6
 * GPIOx_ODR; the LED on PD12 as on the F4 Discovery board; PA13/PA14
 * leave their AF mode to turn SWD off).
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>

#ifndef DEMO_SWD_OFF
#define DEMO_SWD_OFF 0
#endif
#ifndef DEMO_SWD_OFF_AFTER
#define DEMO_SWD_OFF_AFTER 0   /* >0: turn SWD off after this many LED toggles (a late variant) */
#endif

#ifndef DEMO_F4
#define DEMO_F4 0
#endif
#ifndef DEMO_L0
#define DEMO_L0 0
#endif
#ifndef DEMO_G0
#define DEMO_G0 0
#endif
#ifndef DEMO_L4
#define DEMO_L4 0
#endif
#ifndef DEMO_U5
#define DEMO_U5 0
#endif

#if DEMO_U5
/* STM32U575/585 (RM0456 §11.8.27 RCC_AHB2ENR1, §13.4 GPIO): the LED on PC7 as on the Nucleo-U575ZI-Q */
#define DEMO_RCC_AHB2ENR1 (*(volatile uint32_t *)0x46020C8CU)
#define DEMO_RCC_AHB2ENR1_GPIOAEN (1U << 0)
#define DEMO_RCC_AHB2ENR1_GPIOCEN (1U << 2)
#define DEMO_GPIOA_MODER (*(volatile uint32_t *)0x42020000U)
#define DEMO_GPIOA_MODER_SWD_MASK (0xFU << 26) /* PA13, PA14 */
#define DEMO_GPIOA_MODER_SWD_OUT (0x5U << 26)  /* both general-purpose outputs: SWD gone */
#define DEMO_GPIOC_MODER (*(volatile uint32_t *)0x42020800U)
#define DEMO_GPIOC_ODR (*(volatile uint32_t *)0x42020814U)
#define DEMO_LED_PIN 7U
#define DEMO_SERIAL_ADDR 0x08010000U        /* page 8 (8 KiB pages): serial slot written by gang */
#define DEMO_DELAY_LOOPS 10000U             /* about 10 ms per toggle at the 4 MHz MSI */
#elif DEMO_G0 || DEMO_L4 || DEMO_L0
/*
 * G0/C0 (RM0444 §5.4.13 RCC_IOPENR, §7.4.1 GPIOx_MODER: GPIOA on the IOPORT
 * bus at 0x50000000) and L4/L4+/G4 (RM0351 §6.4.17 RCC_AHB2ENR, §8.5.1:
 * GPIOA at 0x48000000); the LED on PA5 as on the Nucleo-64 boards; PA13/PA14
 * leave their AF mode to turn SWD off. The serial slot is page 8
 * (0x08004000, 16 KiB in), inside the smallest flash of each family.
 */
#if DEMO_G0
#define DEMO_RCC_GPIOEN (*(volatile uint32_t *)0x40021034U)
#define DEMO_GPIOA_BASE 0x50000000U
#define DEMO_DELAY_LOOPS 40000U             /* about 10 ms per toggle at the 16 MHz HSI */
#elif DEMO_L0
/*
 * STM32L053R8 (RM0367 §7.3.12 RCC_IOPENR, §9.4.1 GPIOx_MODER on the IOPORT
 * bus at 0x50000000, §9.4.6 GPIOx_ODR): the LED on PA5 as on the
 * NUCLEO-L053R8; the serial in data EEPROM (0x08080000, erased 0x00).
 */
#define DEMO_RCC_GPIOEN (*(volatile uint32_t *)0x4002102CU)
#define DEMO_GPIOA_BASE 0x50000000U
#define DEMO_DELAY_LOOPS 2000U              /* about 10 ms per toggle at the 2.1 MHz MSI */
#else
#define DEMO_RCC_GPIOEN (*(volatile uint32_t *)0x4002104CU)
#define DEMO_GPIOA_BASE 0x48000000U
#define DEMO_DELAY_LOOPS 10000U             /* about 10 ms per toggle at the 4 MHz MSI */
#endif
#define DEMO_RCC_GPIOAEN (1U << 0)
#define DEMO_GPIOA_MODER (*(volatile uint32_t *)(DEMO_GPIOA_BASE + 0x00U))
#define DEMO_GPIOA_ODR (*(volatile uint32_t *)(DEMO_GPIOA_BASE + 0x14U))
#define DEMO_GPIOA_MODER_SWD_MASK (0xFU << 26) /* PA13, PA14 */
#define DEMO_GPIOA_MODER_SWD_OUT (0x5U << 26)  /* both general-purpose outputs: SWD gone */
#define DEMO_LED_PIN 5U
#if DEMO_L0
#define DEMO_SERIAL_ADDR 0x08080000U        /* data EEPROM: serial slot written by gang */
#else
#define DEMO_SERIAL_ADDR 0x08004000U        /* serial slot written by gang */
#endif
#elif DEMO_F4
#define DEMO_RCC_AHB1ENR (*(volatile uint32_t *)0x40023830U)
#define DEMO_RCC_AHB1ENR_GPIOAEN (1U << 0)
#define DEMO_RCC_AHB1ENR_GPIODEN (1U << 3)
#define DEMO_GPIOA_MODER (*(volatile uint32_t *)0x40020000U)
#define DEMO_GPIOA_MODER_SWD_MASK (0xFU << 26) /* PA13, PA14 */
#define DEMO_GPIOA_MODER_SWD_OUT (0x5U << 26)  /* both general-purpose outputs: SWD gone */
#define DEMO_GPIOD_MODER (*(volatile uint32_t *)0x40020C00U)
#define DEMO_GPIOD_ODR (*(volatile uint32_t *)0x40020C14U)
#define DEMO_LED_PIN 12U
#define DEMO_SERIAL_ADDR 0x0800C000U        /* sector 3: serial slot written by gang */
#define DEMO_DELAY_LOOPS 40000U             /* about 10 ms per toggle at the 16 MHz HSI */
#else
#define DEMO_RCC_APB2ENR (*(volatile uint32_t *)0x40021018U)
#define DEMO_RCC_APB2ENR_AFIOEN (1U << 0)
#define DEMO_RCC_APB2ENR_IOPCEN (1U << 4)
#define DEMO_AFIO_MAPR (*(volatile uint32_t *)0x40010004U)
#define DEMO_AFIO_MAPR_SWJ_OFF (0x4U << 24) /* SWJ_CFG = 0b100: JTAG-DP and SW-DP off */
#define DEMO_GPIOC_CRH (*(volatile uint32_t *)0x40011004U)
#define DEMO_GPIOC_ODR (*(volatile uint32_t *)0x4001100CU)
#define DEMO_PC13 13U
#define DEMO_CRH_PC13_SHIFT ((DEMO_PC13 - 8U) * 4U)
#define DEMO_CRH_OUT_PP_2MHZ 0x2U            /* MODE=10 (2 MHz), CNF=00 (push-pull) */
#define DEMO_SERIAL_ADDR 0x0803F800U        /* serial slot written by gang */
#define DEMO_DELAY_LOOPS 20000U             /* about 10 ms per toggle at the 8 MHz HSI */
#endif
#define DEMO_SERIAL_UNSET (DEMO_L0 ? 0x00000000U : 0xFFFFFFFFU) /* erased flash or EEPROM */
#define DEMO_MAGIC 0x474E4147U              /* "GANG" little-endian: proves .data was copied */

/* At 0x20000000 (first in .data): what the bench and tests read back. */
typedef struct demo_state {
	uint32_t magic;      /* DEMO_MAGIC once .data is copied */
	uint32_t heartbeat;  /* +1 per LED toggle */
	uint32_t serial;     /* copy of the serial slot (DEMO_SERIAL_UNSET when unset) */
	uint32_t swd_off;    /* 1 in the swdoff variant */
} demo_state;

void demo_swd_off(void);
__attribute__((noreturn)) void demo_main(void);

#endif
