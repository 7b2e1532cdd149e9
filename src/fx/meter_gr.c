/* mixdown — gain-reduction meter lookup (see meter_gr.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: any. */
#include "fx/meter_gr.h"

extern const mxd_fx_class mxd_fx_compressor_class;
extern const mxd_fx_class mxd_fx_gate_class;
extern const mxd_fx_class mxd_fx_expander_class;
extern const mxd_fx_class mxd_fx_deesser_class;

static const mxd_fx_class *const metered[] = {
	&mxd_fx_compressor_class,
	&mxd_fx_gate_class,
	&mxd_fx_expander_class,
	&mxd_fx_deesser_class,
};

bool mxd_fx_class_has_gain_reduction(const mxd_fx_class *cls)
{
	for (size_t i = 0; cls && i < sizeof metered / sizeof metered[0]; i++)
		if (cls == metered[i])
			return true;
	return false;
}

bool mxd_fx_has_gain_reduction(const mxd_fx *fx)
{
	return fx && mxd_fx_class_has_gain_reduction(fx->cls);
}

double mxd_fx_gain_reduction_db(const mxd_fx *fx)
{
	if (!mxd_fx_has_gain_reduction(fx))
		return 0.0;
	mxd_fx_dyn_head *h = (mxd_fx_dyn_head *)(void *)fx;
	return atomic_load_explicit(&h->gr.db, memory_order_relaxed);
}
