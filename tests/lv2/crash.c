/* mixdown tests — an LV2 plugin that crashes when instantiated (abort()), for
 * the host's probe: tests/test_lv2.c writes its bundle (manifest.ttl) at run time.
 * URI urn:mixdown:test:crash; one audio input, one audio output.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: whichever the host uses for instantiate.
 */
#include <stdlib.h>

#include <lv2/core/lv2.h>

static LV2_Handle instantiate(const LV2_Descriptor *d, double rate, const char *bundle,
			      const LV2_Feature *const *features)
{
	(void)d, (void)rate, (void)bundle, (void)features;
	abort(); /* SIGABRT: sanitizers let it through, unlike SIGSEGV */
}

static void connect_port(LV2_Handle h, uint32_t port, void *data)
{
	(void)h, (void)port, (void)data;
}

static void run(LV2_Handle h, uint32_t n)
{
	(void)h, (void)n;
}

static void cleanup(LV2_Handle h)
{
	(void)h;
}

static const LV2_Descriptor descriptor = {
	"urn:mixdown:test:crash", instantiate, connect_port, NULL, run, NULL, cleanup, NULL,
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
	return index == 0 ? &descriptor : NULL;
}
