/* mixdown — the processor registry and parameter-table helpers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Adding an effect: write src/fx/fx_NAME.c defining
 * `const mxd_fx_class mxd_fx_NAME_class`, list the file in src/fx/meson.build
 * and add X(NAME) below. The order here is the order `mixdown fx list` shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"

#define MXD_FX_CLASSES(X) \
	X(gain)           \
	X(polarity)       \
	X(eq)             \
	X(multiband)      \
	X(compressor)     \
	X(gate)           \
	X(expander)       \
	X(deesser)        \
	X(declick)        \
	X(declip)         \
	X(denoise)        \
	X(dehum)          \
	X(limiter)        \
	X(saturation)     \
	X(exciter)        \
	X(reverb)         \
	X(convolution)    \
	X(stereo)         \
	X(pan)            \
	X(delay)          \
	X(finedelay)      \
	X(meter)          \
	X(loudness_meter) \
	X(correlation_meter)

#define DECLARE_CLASS(n) extern const mxd_fx_class mxd_fx_##n##_class;
MXD_FX_CLASSES(DECLARE_CLASS)

#define CLASS_ENTRY(n) &mxd_fx_##n##_class,
static const mxd_fx_class *const registry[] = { MXD_FX_CLASSES(CLASS_ENTRY) };

#define N_BUILTIN (sizeof registry / sizeof registry[0])
#define MAX_EXTRA 256

/* Classes added at run time (plugins, test doubles); see processor.h. */
static const mxd_fx_class *extra[MAX_EXTRA];
static size_t n_extra;

size_t mxd_fx_class_count(void)
{
	return N_BUILTIN + n_extra;
}

const mxd_fx_class *mxd_fx_class_at(size_t i)
{
	return i < N_BUILTIN ? registry[i] : i < mxd_fx_class_count() ? extra[i - N_BUILTIN] : NULL;
}

const mxd_fx_class *mxd_fx_class_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < mxd_fx_class_count(); i++)
		if (strcmp(mxd_fx_class_at(i)->name, name) == 0)
			return mxd_fx_class_at(i);
	return NULL;
}

int mxd_fx_class_register(const mxd_fx_class *cls)
{
	if (!cls || !cls->name || mxd_fx_class_find(cls->name) || n_extra == MAX_EXTRA)
		return -1;
	extra[n_extra++] = cls;
	return 0;
}

void mxd_fx_defaults(const mxd_fx_class *cls, double *values)
{
	for (size_t i = 0; i < cls->n_params; i++) {
		const mxd_param *p = &cls->params[i];
		if (p->kind != MXD_PARAM_LIST) {
			values[p->first_slot] = p->def;
			continue;
		}
		for (size_t item = 0; item < p->max_items; item++)
			for (size_t s = 0; s < p->n_sub; s++)
				values[mxd_param_slot(p, item, s)] = p->sub[s].def;
	}
}

static const mxd_param *find_in(const mxd_param *table, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

const mxd_param *mxd_fx_param_find(const mxd_fx_class *cls, const char *name)
{
	return name ? find_in(cls->params, cls->n_params, name, strlen(name)) : NULL;
}

/* "<list>.<item 1..max>.<sub>" or "<name>"; anything else names no value. */
long mxd_fx_param_path(const mxd_fx_class *cls, const char *path, const mxd_param **out)
{
	if (out)
		*out = NULL;
	if (!path)
		return -1;
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	const mxd_param *p = find_in(cls->params, cls->n_params, path, len);
	if (!p)
		return -1;
	if (p->kind != MXD_PARAM_LIST) {
		if (dot)
			return -1;
		if (out)
			*out = p;
		return (long)p->first_slot;
	}
	if (!dot)
		return -1; /* the list itself is not a value */
	const char *num = dot + 1, *end = num;
	size_t item = 0;
	while (*end >= '0' && *end <= '9' && end - num < 9)
		item = item * 10 + (size_t)(*end++ - '0');
	if (end == num || *end != '.' || item < 1 || item > p->max_items)
		return -1;
	const mxd_param *sub = find_in(p->sub, p->n_sub, end + 1, strlen(end + 1));
	if (!sub)
		return -1;
	if (out)
		*out = sub;
	return (long)mxd_param_slot(p, item - 1, (size_t)(sub - p->sub));
}

mxd_fx *mxd_fx_instantiate(const mxd_fx_class *cls, const double *values, double sample_rate,
			   uint32_t max_block, uint32_t channels)
{
	return mxd_fx_instantiate_files(cls, values, NULL, sample_rate, max_block, channels, NULL, 0);
}

static mxd_fx *fail_with(mxd_fx *fx, char *err, size_t err_size, const char *why)
{
	if (err && err_size && why)
		snprintf(err, err_size, "%s", why);
	if (fx)
		fx->cls->destroy(fx);
	return NULL;
}

mxd_fx *mxd_fx_instantiate_files(const mxd_fx_class *cls, const double *values, char *const *files,
				 double sample_rate, uint32_t max_block, uint32_t channels, char *err,
				 size_t err_size)
{
	if (err && err_size)
		err[0] = 0;
	if (!cls || channels < 1 || channels > MXD_MAX_CHANNELS || !(sample_rate > 0))
		return fail_with(NULL, err, err_size, "invalid sample rate or channel count");
	mxd_fx *fx = cls->create(cls);
	if (!fx)
		return fail_with(NULL, err, err_size, "out of memory");
	double *defs = NULL;
	if (!values) {
		defs = malloc((cls->n_slots ? cls->n_slots : 1) * sizeof *defs);
		if (!defs)
			return fail_with(fx, err, err_size, "out of memory");
		mxd_fx_defaults(cls, defs);
		values = defs;
	}
	for (size_t s = 0; s < cls->n_slots; s++)
		cls->set_param(fx, s, values[s]);
	free(defs);
	for (size_t s = 0; files && s < cls->n_slots; s++) {
		if (!files[s])
			continue;
		char why[256] = "cannot load file";
		if (!cls->set_file || cls->set_file(fx, s, files[s], why, sizeof why) != 0)
			return fail_with(fx, err, err_size, why);
	}
	if (cls->activate(fx, sample_rate, max_block, channels) != 0)
		return fail_with(fx, err, err_size, "out of memory while activating");
	return fx;
}
