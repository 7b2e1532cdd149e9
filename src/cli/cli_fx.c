/* mixdown — `mixdown fx list` and `mixdown fx info NAME`: the parameter tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_range(const mixdown_param_info *p)
{
	if (!strcmp(p->kind, "enum")) {
		int def = (int)p->def;
		for (int k = 0; p->choices && p->choices[k]; k++)
			printf("%s%s%s", k ? "|" : "", p->choices[k], k == def ? "*" : "");
	} else if (!strcmp(p->kind, "bool")) {
		printf("true|false (default %s)", p->def != 0 ? "true" : "false");
	} else if (!strcmp(p->kind, "list")) {
		printf("list of up to %g items", p->max);
	} else {
		printf("%g .. %g %s (default %g)", p->min, p->max, p->unit, p->def);
	}
}

int cli_fx(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "list") && argc == 2) {
		for (size_t i = 0; i < mixdown_fx_count(); i++)
			printf("%-12s %s\n", mixdown_fx_name(i), mixdown_fx_summary(i));
		return EXIT_OK;
	}
	if (argc == 3 && !strcmp(argv[1], "list") && !strcmp(argv[2], "--lv2"))
		return mixdown_lv2_list(stdout, stderr) == 0 ? EXIT_OK : EXIT_FAIL;
	if (argc == 3 && !strcmp(argv[1], "info") && strchr(argv[2], ':')) /* an LV2 plugin URI */
		return mixdown_lv2_info(argv[2], stdout, stderr) == 0 ? EXIT_OK : EXIT_FAIL;
	if (argc == 3 && !strcmp(argv[1], "info")) {
		for (size_t i = 0; i < mixdown_fx_count(); i++) {
			if (strcmp(mixdown_fx_name(i), argv[2]) != 0)
				continue;
			mixdown_param_info params[256];
			size_t n = mixdown_fx_params(i, params, 256);
			printf("%s: %s\n\n", mixdown_fx_name(i), mixdown_fx_summary(i));
			printf("%-18s %-7s %-6s %s\n", "parameter", "kind", "auto", "range / choices (* default)");
			for (size_t k = 0; k < n && k < 256; k++) {
				const mixdown_param_info *p = &params[k];
				printf("%-18s %-7s %-6s ", p->name, p->kind, p->automatable ? "yes" : "no");
				print_range(p);
				printf("\n%-18s %s\n", "", p->help);
			}
			return EXIT_OK;
		}
		return cli_usage_error("no processor named '%s' (see 'mixdown fx list')", argv[2]);
	}
	return cli_usage_error("usage: mixdown fx list [--lv2] | mixdown fx info NAME|LV2-URI");
}
