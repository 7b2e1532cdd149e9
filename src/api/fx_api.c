/* mixdown — public view of the processor registry and parameter tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "fx/processor.h"
#include "mixdown/mixdown.h"

size_t mixdown_fx_count(void) { return mxd_fx_class_count(); }

const char *mixdown_fx_name(size_t i)
{
	return i < mxd_fx_class_count() ? mxd_fx_class_at(i)->name : NULL;
}

const char *mixdown_fx_summary(size_t i)
{
	return i < mxd_fx_class_count() ? mxd_fx_class_at(i)->summary : NULL;
}

static const char *kind_name(mxd_param_kind k)
{
	switch (k) {
	case MXD_PARAM_ENUM: return "enum";
	case MXD_PARAM_BOOL: return "bool";
	case MXD_PARAM_LIST: return "list";
	case MXD_PARAM_FILE: return "file";
	default: return "number";
	}
}

static void fill(mixdown_param_info *o, const mxd_param *p, const char *name)
{
	o->name = name;
	o->unit = p->unit ? p->unit : "";
	o->kind = kind_name(p->kind);
	o->min = p->min;
	o->max = p->kind == MXD_PARAM_LIST ? (double)p->max_items : p->max; /* a list's size limit */
	o->def = p->def;
	o->choices = p->choices;
	o->help = p->help ? p->help : "";
	o->automatable = p->automatable;
}

/* "list.*.sub" names live in a static pool: the tables are static too. */
static char name_pool[64][96];
static size_t name_pool_used;

static const char *list_name(const mxd_param *list, const mxd_param *sub)
{
	char want[96];
	snprintf(want, sizeof want, "%s.*.%s", list->name, sub->name);
	for (size_t i = 0; i < name_pool_used; i++)
		if (!strcmp(name_pool[i], want))
			return name_pool[i];
	if (name_pool_used == 64)
		return sub->name;
	snprintf(name_pool[name_pool_used], sizeof name_pool[0], "%s", want);
	return name_pool[name_pool_used++];
}

size_t mixdown_fx_params(size_t i, mixdown_param_info *out, size_t cap)
{
	if (i >= mxd_fx_class_count())
		return 0;
	const mxd_fx_class *cls = mxd_fx_class_at(i);
	size_t n = 0;
	for (size_t k = 0; k < cls->n_params; k++) {
		const mxd_param *p = &cls->params[k];
		if (n < cap)
			fill(&out[n], p, p->name);
		n++;
		if (p->kind != MXD_PARAM_LIST)
			continue;
		for (size_t j = 0; j < p->n_sub; j++) {
			if (n < cap)
				fill(&out[n], &p->sub[j], list_name(p, &p->sub[j]));
			n++;
		}
	}
	return n;
}
