/*
 * bench.c — load and validate a bench file (libconfig). Every key is
 * checked for type and range; unknown keys are errors, so a typo never
 * silently yields a default. Keys: tools/sim/benches/README.md.
 * Defaults: USB round trip 1000 us (full speed) / 250 us (V3 high speed),
 * 1.2 MB/s / 40 MB/s bulk data, 46 SWCLK per 32-bit SWD access
 * (USB 2.0 frame and microframe times; the ST-Link's SWD engine as timed
 * on a V2); flash timings DS5792 Table 29 (board.h).
 */
#include "bench.h"
#include "flash_model.h"

#include <ctype.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define BENCH_RTT_FS_NS      1000000LL  /* USB full speed: 1 ms frames */
#define BENCH_RTT_HS_NS      250000LL   /* USB high speed: 125 us microframes */
#define BENCH_FS_BYTES_S     1.2e6
#define BENCH_HS_BYTES_S     40e6
#define BENCH_SWD_CLOCKS     46U
#define BENCH_T_ERASE_NS     30000000ULL
#define BENCH_MAX_BOARDS     100000

typedef struct bench_ctx {
	const char *path;
	char *err;
	size_t errlen;
	char dir[4096];          /* directory of the bench file, for relative paths */
} bench_ctx;

/* Board keys, valid per board and (as defaults) per probe. */
static const char *const bench_board_keys[] = {
	"rdp", "firmware", "swd_disabled", "absent", "nrst_wired", "wrp",
	"t_prog_us", "t_page_erase_ms", "t_mass_erase_ms", "t_ob_erase_ms", "core_hz",
	"power_loss_at_s", "swd_wait_rate", "swd_fault_rate", "stuck", "seed", "kill_on_release",
	"vdd_mv", "vpp", NULL
};

static const char *const bench_probe_keys[] = {
	"serial", "clone", "model", "target", "boards", "tray", "swap_s", "usb_rtt_us",
	"usb_mb_s", "swd_clocks_per_word", "unplug_at_s", "unplug_for_s",
	"usb_timeout_rate", NULL
};

__attribute__((format(printf, 4, 5)))
static int bench_err(bench_ctx *c, const config_setting_t *s, const char *key, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d: key '%s': %s", c->path,
		 s ? config_setting_source_line(s) : 0, key, why);
	return -1;
}

const char *sim_model_name(sim_model m)
{
	static const char *const names[] = { "V2", "V2-1", "V3" };

	return names[m];
}

static bool bench_key_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

static int bench_check_keys(bench_ctx *c, const config_setting_t *g, const char *const *a,
			    const char *const *b)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);

		if (!name || bench_key_in(name, a) || (b && bench_key_in(name, b)))
			continue;
		return bench_err(c, m, name, "unknown key (see tools/sim/benches/README.md)");
	}
	return 0;
}

static int bench_bool(bench_ctx *c, const config_setting_t *g, const char *key, bool *v)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return bench_err(c, s, key, "must be true or false");
	*v = config_setting_get_bool(s) != 0;
	return 0;
}

static int bench_num(bench_ctx *c, const config_setting_t *g, const char *key, double *v,
		     double lo, double hi)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	int t;

	if (!s)
		return 0;
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		*v = (double)config_setting_get_int64(s);
	else if (t == CONFIG_TYPE_FLOAT)
		*v = config_setting_get_float(s);
	else
		return bench_err(c, s, key, "must be a number");
	if (*v < lo || *v > hi)
		return bench_err(c, s, key, "%g is outside %g..%g", *v, lo, hi);
	return 0;
}

static int bench_int(bench_ctx *c, const config_setting_t *g, const char *key, long long *v,
		     long long lo, long long hi)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	int t;

	if (!s)
		return 0;
	t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return bench_err(c, s, key, "must be an integer");
	*v = config_setting_get_int64(s);
	if (*v < lo || *v > hi)
		return bench_err(c, s, key, "%lld is outside %lld..%lld", *v, lo, hi);
	return 0;
}

static int bench_str(bench_ctx *c, const config_setting_t *g, const char *key, const char **v)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return bench_err(c, s, key, "must be a string in double quotes");
	*v = config_setting_get_string(s);
	return 0;
}

static int bench_hex(uint8_t *out, const char *s, size_t nbytes)
{
	if (strlen(s) != 2 * nbytes)
		return -1;
	for (size_t i = 0; i < nbytes; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return 0;
}

void sim_bench_derive_uid(uint8_t uid_out[12], const char *serial, size_t index)
{
	/* FNV-1a over serial and index, two lanes: deterministic and distinct. */
	uint64_t h[2] = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };

	for (int lane = 0; lane < 2; lane++) {
		for (const char *p = serial; *p; p++)
			h[lane] = (h[lane] ^ (uint8_t)*p) * 0x100000001b3ULL;
		for (int k = 0; k < 8; k++)
			h[lane] = (h[lane] ^ ((index >> (8 * k)) & 0xFFU)) * 0x100000001b3ULL;
	}
	for (int i = 0; i < 12; i++)
		uid_out[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
}

int sim_bench_parse_fw(sim_fw_version *out, const char *text, sim_model model)
{
	unsigned v, j, x, b, s;
	char tag;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (model == SIM_MODEL_V3) {
		if (sscanf(text, "V%uJ%uM%uB%uS%u%n", &v, &j, &x, &b, &s, &n) != 5 || v != 3)
			return -1;
		out->m = x, out->b = b, out->s = s;
	} else {
		if (sscanf(text, "V%uJ%u%c%u%n", &v, &j, &tag, &x, &n) != 4 || v != 2)
			return -1;
		/* V2 reports a SWIM version (S), V2-1 an MSD version (M), packed in GET_VERSION as OpenOCD 0.12 unpacks it. */
		if (tag != (model == SIM_MODEL_V2 ? 'S' : 'M'))
			return -1;
		if (tag == 'S')
			out->s = x;
		else
			out->m = x;
	}
	if (text[n] != '\0' || j > 63 || x > 63)
		return -1;
	out->v = v, out->j = j;
	snprintf(out->text, sizeof(out->text), "%s", text);
	return 0;
}

/* A probe-level "firmware" that looks like "V2J.." / "V3J.." is the probe's version. */
static bool bench_is_probe_fw(const char *s)
{
	return s[0] == 'V' && (s[1] == '2' || s[1] == '3') && s[2] == 'J';
}

static void bench_board_default(sim_bench_board *b)
{
	memset(b, 0, sizeof(*b));
	b->cfg.wrp = 0xFFFFFFFFU;
	b->cfg.nrst_wired = true;
	b->cfg.power_loss_at_ns = -1;
	b->cfg.timing.t_page_erase_ns = BENCH_T_ERASE_NS;
	b->cfg.timing.t_mass_erase_ns = BENCH_T_ERASE_NS;
	b->cfg.timing.t_ob_erase_ns = BENCH_T_ERASE_NS;
}

static int bench_firmware(bench_ctx *c, const config_setting_t *g, sim_bench_board *b)
{
	const config_setting_t *s = config_setting_get_member(g, "firmware");
	const char *f = NULL;
	struct stat st;
	char path[8192];

	if (bench_str(c, g, "firmware", &f) < 0 || !f || bench_is_probe_fw(f))
		return f ? 0 : (s ? -1 : 0);
	if (f[0] == '/')
		snprintf(path, sizeof(path), "%s", f);
	else
		snprintf(path, sizeof(path), "%s/%s", c->dir, f);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return bench_err(c, s, "firmware", "cannot read file %s", path);
	if (b->cfg.part && (uint64_t)st.st_size > (uint64_t)b->cfg.part->flash_kib * 1024U)
		return bench_err(c, s, "firmware", "%s (%lld bytes) does not fit %u KiB of flash",
				 path, (long long)st.st_size, b->cfg.part->flash_kib);
	free(b->firmware_path);
	b->firmware_path = strdup(path);
	b->cfg.firmware = b->firmware_path;
	return b->firmware_path ? 0 : bench_err(c, s, "firmware", "out of memory");
}

static int bench_stuck(bench_ctx *c, const config_setting_t *g, sim_board_cfg *cfg)
{
	const config_setting_t *s = config_setting_get_member(g, "stuck");
	int n;

	if (!s)
		return 0;
	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return bench_err(c, s, "stuck", "must be a list ( { addr = ..; mask = ..; value = ..; } )");
	n = config_setting_length(s);
	if (n > SIM_MAX_STUCK)
		return bench_err(c, s, "stuck", "at most %d entries", SIM_MAX_STUCK);
	cfg->n_stuck = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		static const char *const keys[] = { "addr", "mask", "value", NULL };
		long long addr = -1, mask = 0xFF, value = 0;

		if (!config_setting_is_group(e))
			return bench_err(c, e, "stuck", "entry %d must be a group { addr = ..; }", i);
		if (bench_check_keys(c, e, keys, NULL) < 0 ||
		    bench_int(c, e, "addr", &addr, 0, 0xFFFFFFFFLL) < 0 ||
		    bench_int(c, e, "mask", &mask, 1, 0xFF) < 0 ||
		    bench_int(c, e, "value", &value, 0, 0xFF) < 0)
			return -1;
		if (addr < 0)
			return bench_err(c, e, "addr", "missing in stuck entry %d", i);
		cfg->stuck[i] = (sim_stuck_bit){ (uint32_t)addr, (uint8_t)mask, (uint8_t)value };
		cfg->n_stuck++;
	}
	return 0;
}

static int bench_board_timing(bench_ctx *c, const config_setting_t *g, sim_timing *t)
{
	double prog = (double)t->t_prog_ns / 1e3, pe = (double)t->t_page_erase_ns / 1e6;
	double me = (double)t->t_mass_erase_ns / 1e6, oe = (double)t->t_ob_erase_ns / 1e6;
	double hz = (double)t->core_hz;

	if (bench_num(c, g, "t_prog_us", &prog, 0, 1e6) < 0 ||
	    bench_num(c, g, "t_page_erase_ms", &pe, 0, 1e5) < 0 ||
	    bench_num(c, g, "t_mass_erase_ms", &me, 0, 1e5) < 0 ||
	    bench_num(c, g, "t_ob_erase_ms", &oe, 0, 1e5) < 0 ||
	    bench_num(c, g, "core_hz", &hz, 1e3, 1e9) < 0)
		return -1;
	t->t_prog_ns = (uint64_t)(prog * 1e3);
	t->t_page_erase_ns = (uint64_t)(pe * 1e6);
	t->t_mass_erase_ns = (uint64_t)(me * 1e6);
	t->t_ob_erase_ns = (uint64_t)(oe * 1e6);
	t->core_hz = (uint64_t)hz;
	return 0;
}

/* Board keys of group g applied on top of b (defaults from the probe or built in). */
static int bench_board_keys_apply(bench_ctx *c, const config_setting_t *g, sim_bench_board *b)
{
	long long rdp = b->cfg.rdp, wrp = b->cfg.wrp, seed = b->cfg.rng_seed;
	double vdd = b->cfg.vdd_mv;
	double loss = b->cfg.power_loss_at_ns < 0 ? -1 : (double)b->cfg.power_loss_at_ns / 1e9;

	if (bench_int(c, g, "rdp", &rdp, 0, 1) < 0 ||
	    bench_int(c, g, "wrp", &wrp, 0, 0xFFFFFFFFLL) < 0 ||
	    bench_int(c, g, "seed", &seed, 0, 0xFFFFFFFFLL) < 0 ||
	    bench_bool(c, g, "swd_disabled", &b->cfg.swd_disabled) < 0 ||
	    bench_bool(c, g, "kill_on_release", &b->cfg.kill_host_on_release) < 0 ||
	    bench_bool(c, g, "absent", &b->absent) < 0 ||
	    bench_bool(c, g, "nrst_wired", &b->cfg.nrst_wired) < 0 ||
	    bench_bool(c, g, "vpp", &b->cfg.vpp) < 0 ||
	    bench_num(c, g, "vdd_mv", &vdd, 1700, 3600) < 0 ||
	    bench_num(c, g, "power_loss_at_s", &loss, -1, 1e6) < 0 ||
	    bench_num(c, g, "swd_wait_rate", &b->cfg.swd_wait_rate, 0, 1) < 0 ||
	    bench_num(c, g, "swd_fault_rate", &b->cfg.swd_fault_rate, 0, 1) < 0 ||
	    bench_board_timing(c, g, &b->cfg.timing) < 0 ||
	    bench_stuck(c, g, &b->cfg) < 0 || bench_firmware(c, g, b) < 0)
		return -1;
	if (b->cfg.swd_disabled && !b->cfg.firmware)
		return bench_err(c, config_setting_get_member(g, "swd_disabled") ?
				 config_setting_get_member(g, "swd_disabled") : g, "swd_disabled",
				 "needs a firmware image (the firmware that turns SWD off when it runs)");
	b->cfg.rdp = (int)rdp;
	b->cfg.vdd_mv = (unsigned)vdd;
	b->cfg.wrp = (uint32_t)wrp;
	b->cfg.rng_seed = (uint32_t)seed;
	b->cfg.power_loss_at_ns = loss < 0 ? -1 : (int64_t)(loss * 1e9);
	return 0;
}

static int bench_board_copy(sim_bench_board *dst, const sim_bench_board *src)
{
	*dst = *src;
	dst->firmware_path = src->firmware_path ? strdup(src->firmware_path) : NULL;
	dst->cfg.firmware = dst->firmware_path;
	return (src->firmware_path && !dst->firmware_path) ? -1 : 0;
}

static int bench_tray(bench_ctx *c, const config_setting_t *tray, sim_bench_probe *p,
		      const sim_bench_board *def)
{
	static const char *const uid_key[] = { "uid", NULL };
	int n = config_setting_length(tray);

	if (!config_setting_is_list(tray) || n < 1)
		return bench_err(c, tray, "tray", "must be a non-empty list ( { uid = \"..\"; }, .. )");
	p->boards = calloc((size_t)n, sizeof(*p->boards));
	if (!p->boards)
		return bench_err(c, tray, "tray", "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(tray, (unsigned)i);
		sim_bench_board *b = &p->boards[i];
		const char *uid = NULL;

		if (bench_board_copy(b, def) < 0)
			return bench_err(c, tray, "tray", "out of memory");
		p->n_boards++;
		sim_bench_derive_uid(b->cfg.uid, p->key, (size_t)i);
		if (!config_setting_is_group(e))
			return bench_err(c, e, "tray", "entry %d must be a group { uid = \"..\"; }", i);
		if (bench_check_keys(c, e, bench_board_keys, uid_key) < 0 ||
		    bench_str(c, e, "uid", &uid) < 0 || bench_board_keys_apply(c, e, b) < 0)
			return -1;
		if (uid && bench_hex(b->cfg.uid, uid, 12) < 0)
			return bench_err(c, config_setting_get_member(e, "uid"), "uid",
					 "\"%s\" is not 24 hex digits", uid);
	}
	return 0;
}

static int bench_boards(bench_ctx *c, const config_setting_t *g, sim_bench_probe *p,
			const sim_bench_board *def)
{
	const config_setting_t *tray = config_setting_get_member(g, "tray");
	long long n = 1;

	if (tray && config_setting_get_member(g, "boards"))
		return bench_err(c, tray, "tray", "give either boards = N or tray = (..), not both");
	if (tray)
		return bench_tray(c, tray, p, def);
	if (bench_int(c, g, "boards", &n, 1, BENCH_MAX_BOARDS) < 0)
		return -1;
	p->boards = calloc((size_t)n, sizeof(*p->boards));
	if (!p->boards)
		return bench_err(c, g, "boards", "out of memory");
	for (long long i = 0; i < n; i++) {
		if (bench_board_copy(&p->boards[i], def) < 0)
			return bench_err(c, g, "boards", "out of memory");
		p->n_boards++;
		sim_bench_derive_uid(p->boards[i].cfg.uid, p->key, (size_t)i);
	}
	return 0;
}

static int bench_model(bench_ctx *c, const config_setting_t *g, sim_bench_probe *p)
{
	static const char *const defaults[] = { "V2J37S7", "V2J37M26", "V3J7M3B5S1" };
	const char *model = "V2", *fw = NULL;

	if (bench_str(c, g, "model", &model) < 0 || bench_str(c, g, "firmware", &fw) < 0)
		return -1;
	if (strcmp(model, "V2") == 0)
		p->model = SIM_MODEL_V2;
	else if (strcmp(model, "V2-1") == 0)
		p->model = SIM_MODEL_V2_1;
	else if (strcmp(model, "V3") == 0)
		p->model = SIM_MODEL_V3;
	else
		return bench_err(c, config_setting_get_member(g, "model"), "model",
				 "\"%s\" is not \"V2\", \"V2-1\" or \"V3\"", model);
	if (!fw || !bench_is_probe_fw(fw))
		fw = defaults[p->model];
	if (sim_bench_parse_fw(&p->fw, fw, p->model) < 0)
		return bench_err(c, config_setting_get_member(g, "firmware"), "firmware",
				 "\"%s\" is not a %s firmware version (e.g. %s)", fw,
				 sim_model_name(p->model), defaults[p->model]);
	return 0;
}

static int bench_serial(bench_ctx *c, const config_setting_t *g, sim_bench_probe *p)
{
	const char *serial = NULL;
	uint8_t raw[12];

	if (bench_str(c, g, "serial", &serial) < 0)
		return -1;
	if (!serial)
		return bench_err(c, g, "serial", "missing (24 hex digits)");
	if (bench_hex(raw, serial, 12) < 0)
		return bench_err(c, config_setting_get_member(g, "serial"), "serial",
				 "\"%s\" is not 24 hex digits", serial);
	snprintf(p->serial, sizeof(p->serial), "%s", serial);
	return bench_bool(c, g, "clone", &p->clone);
}

static int bench_probe_usb(bench_ctx *c, const config_setting_t *g, sim_bench_probe *p)
{
	bool hs = p->model == SIM_MODEL_V3;
	double rtt = (double)(hs ? BENCH_RTT_HS_NS : BENCH_RTT_FS_NS) / 1e3;
	double mbs = (hs ? BENCH_HS_BYTES_S : BENCH_FS_BYTES_S) / 1e6, clocks = BENCH_SWD_CLOCKS;

	p->swap_s = -1;
	p->unplug_at_s = -1;
	p->unplug_for_s = 1;
	if (bench_num(c, g, "usb_rtt_us", &rtt, 1, 1e6) < 0 ||
	    bench_num(c, g, "usb_mb_s", &mbs, 0.001, 1000) < 0 ||
	    bench_num(c, g, "swd_clocks_per_word", &clocks, 1, 1000) < 0 ||
	    bench_num(c, g, "swap_s", &p->swap_s, 0, 1e6) < 0 ||
	    bench_num(c, g, "unplug_at_s", &p->unplug_at_s, 0, 1e6) < 0 ||
	    bench_num(c, g, "unplug_for_s", &p->unplug_for_s, 0, 1e6) < 0 ||
	    bench_num(c, g, "usb_timeout_rate", &p->usb_timeout_rate, 0, 1) < 0)
		return -1;
	p->usb_rtt_ns = (int64_t)(rtt * 1e3);
	p->usb_bytes_per_s = mbs * 1e6;
	p->swd_clocks_per_word = (unsigned)clocks;
	return 0;
}

/*
 * Cheap clones share serials (observed: clone V2s report one 12-byte
 * binary serial, and several clones of a batch the same one): a serial
 * already used by an earlier probe gets a key with its ordinal, so its
 * boards, tray file and claim lock stay its own. The first keeps the bare
 * serial, so benches without duplicates are unchanged.
 */
static unsigned bench_key(sim_bench_probe *p, const sim_bench_probe *earlier, size_t n_earlier)
{
	unsigned dup = 0;

	for (size_t k = 0; k < n_earlier; k++)
		dup += strcasecmp(earlier[k].serial, p->serial) == 0;
	if (dup == 0)
		snprintf(p->key, sizeof(p->key), "%s", p->serial);
	else
		snprintf(p->key, sizeof(p->key), "%s-%u", p->serial, dup + 1);
	return dup;
}

static int bench_probe(bench_ctx *c, const config_setting_t *g, sim_bench_probe *p,
		       const sim_bench_probe *earlier, size_t n_earlier)
{
	sim_bench_board def;
	const char *target = NULL;
	int rc = -1;

	bench_board_default(&def);
	if (!config_setting_is_group(g))
		return bench_err(c, g, "probes", "each probe must be a group { serial = \"..\"; .. }");
	if (bench_check_keys(c, g, bench_probe_keys, bench_board_keys) < 0 ||
	    bench_serial(c, g, p) < 0 || bench_model(c, g, p) < 0 || bench_probe_usb(c, g, p) < 0 ||
	    bench_str(c, g, "target", &target) < 0)
		goto out;
	if (!target) {
		bench_err(c, g, "target", "missing (a part name such as \"STM32F103RC\")");
		goto out;
	}
	def.cfg.part = sim_part_find(target);
	if (!def.cfg.part) {
		bench_err(c, config_setting_get_member(g, "target"), "target", "unknown part \"%s\"", target);
		goto out;
	}
	/* the part family's clock after reset and program time, unless a key says otherwise */
	def.cfg.timing.core_hz = def.cfg.part->io->core_hz;
	def.cfg.timing.t_prog_ns = board_flash_model_for(def.cfg.part)->t_prog_ns;
	def.cfg.vdd_mv = SIM_VDD_MV_DEFAULT;
	/* Clones sharing a serial still roll their own fault dice. */
	def.cfg.rng_seed = (uint32_t)(strtoull(p->serial + 16, NULL, 16)) ^
			   (bench_key(p, earlier, n_earlier) * 0x9E3779B9U);
	p->seed = def.cfg.rng_seed;
	if (bench_board_keys_apply(c, g, &def) < 0 || bench_boards(c, g, p, &def) < 0)
		goto out;
	rc = 0;
out:
	free(def.firmware_path);
	return rc;
}

static int bench_unique_serials(bench_ctx *c, const config_setting_t *list, const sim_bench *b)
{
	for (size_t i = 0; i < b->n_probes; i++)
		for (size_t k = 0; k < i; k++)
			if (strcasecmp(b->probes[i].serial, b->probes[k].serial) == 0 &&
			    !(b->probes[i].clone && b->probes[k].clone))
				return bench_err(c, config_setting_get_elem(list, (unsigned)i), "serial",
						 "\"%s\" is used by two probes (only clones, clone = true, "
						 "may share a serial)", b->probes[i].serial);
	return 0;
}

static int bench_parse(bench_ctx *c, const config_t *cfg, sim_bench *b)
{
	static const char *const top[] = { "probes", NULL };
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *list = config_setting_get_member(root, "probes");
	int n;

	if (bench_check_keys(c, root, top, NULL) < 0)
		return -1;
	if (!list || !config_setting_is_list(list))
		return bench_err(c, list ? list : root, "probes",
				 "missing or not a list: probes = ( { serial = \"..\"; .. } );");
	n = config_setting_length(list);
	b->probes = calloc(n > 0 ? (size_t)n : 1, sizeof(*b->probes));
	if (!b->probes)
		return bench_err(c, list, "probes", "out of memory");
	for (int i = 0; i < n; i++) {
		b->n_probes++;
		if (bench_probe(c, config_setting_get_elem(list, (unsigned)i), &b->probes[i], b->probes,
				(size_t)i) < 0)
			return -1;
	}
	return bench_unique_serials(c, list, b);
}

int sim_bench_load(sim_bench **out, const char *path, char *err, size_t errlen)
{
	bench_ctx c = { path, err, errlen, "." };
	sim_bench *b = calloc(1, sizeof(*b));
	const char *slash = strrchr(path, '/');
	config_t cfg;
	int rc = -1;

	*out = NULL;
	if (slash)
		snprintf(c.dir, sizeof(c.dir), "%.*s", (int)(slash - path), path);
	config_init(&cfg);
	if (!b || !(b->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read the bench file", path);
		else
			snprintf(err, errlen, "%s:%d: syntax error: %s", path,
				 config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	if (bench_parse(&c, &cfg, b) < 0)
		goto out;
	*out = b;
	b = NULL;
	rc = 0;
out:
	config_destroy(&cfg);
	sim_bench_free(b);
	return rc;
}

void sim_bench_free(sim_bench *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_probes; i++) {
		for (size_t k = 0; k < b->probes[i].n_boards; k++)
			free(b->probes[i].boards[k].firmware_path);
		free(b->probes[i].boards);
	}
	free(b->probes);
	free(b->path);
	free(b);
}
