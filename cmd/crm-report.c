/* crm-report.c - counts, sums and sales analyses, as tables or charts */
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static const char usage[] =
    "crm-report [-jH] [--csv] [--chart] [--db DIR] [--now WHEN] TYPE\n"
    "       [--where QUERY] [--by KEY[,KEY...]] [--count] [--sum F]\n"
    "       [--avg F] [--min F] [--max F] [--distinct F] [--top N]\n"
    "       [--sort [-]COLUMN]\n"
    "       crm-report deals --funnel|--forecast|--win-rate|--cycle-time\n"
    "       crm-report persons|companies --churn\n"
    "       crm-report [interactions] --campaign NAME [--window 30d]";

enum {
	O_WHERE = CRM_OPT_CMD, O_BY, O_COUNT, O_SUM, O_AVG, O_MIN, O_MAX,
	O_DISTINCT, O_TOP, O_SORT, O_CSV, O_CHART, O_FUNNEL, O_FORECAST,
	O_WINRATE, O_CYCLE, O_CHURN, O_CAMPAIGN, O_WINDOW
};

static void
agg(struct crm_report_spec *sp, enum crm_agg_op op, const char *field)
{
	if (sp->naggs == sizeof sp->aggs / sizeof sp->aggs[0])
		crm_die(2, "at most %zu aggregates",
		    sizeof sp->aggs / sizeof sp->aggs[0]);
	sp->aggs[sp->naggs].op = op;
	sp->aggs[sp->naggs++].field = field;
}

static void
analysis(struct crm_report_spec *sp, enum crm_analysis a)
{
	if (sp->analysis && sp->analysis != a)
		crm_die(2, "one analysis at a time");
	sp->analysis = a;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CRM_LONGOPTS,
		{ "where", 1, 0, O_WHERE }, { "by", 1, 0, O_BY },
		{ "count", 0, 0, O_COUNT }, { "sum", 1, 0, O_SUM },
		{ "avg", 1, 0, O_AVG }, { "min", 1, 0, O_MIN },
		{ "max", 1, 0, O_MAX }, { "distinct", 1, 0, O_DISTINCT },
		{ "top", 1, 0, O_TOP }, { "sort", 1, 0, O_SORT },
		{ "csv", 0, 0, O_CSV }, { "chart", 0, 0, O_CHART },
		{ "funnel", 0, 0, O_FUNNEL }, { "forecast", 0, 0, O_FORECAST },
		{ "win-rate", 0, 0, O_WINRATE },
		{ "cycle-time", 0, 0, O_CYCLE }, { "churn", 0, 0, O_CHURN },
		{ "campaign", 1, 0, O_CAMPAIGN }, { "window", 1, 0, O_WINDOW },
		{ 0, 0, 0, 0 }
	};
	struct crm_report_spec sp;
	struct crm_opts o = { 0 };
	struct crm_table *tb;
	const char *window = NULL;
	enum crm_table_form form = CRM_TABLE_AUTO;
	char step[32], *end;
	int ch, rc, chart = 0;
	crm_db *db;
	crm_txn *t;

	crm_progname = "crm-report";
	setlocale(LC_CTYPE, "");
	memset(&sp, 0, sizeof sp);
	while ((ch = getopt_long(argc, argv, CRM_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (crm_opt(&o, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_WHERE: sp.where = optarg; break;
		case O_BY: sp.by = optarg; break;
		case O_COUNT: agg(&sp, CRM_AGG_COUNT, NULL); break;
		case O_SUM: agg(&sp, CRM_AGG_SUM, optarg); break;
		case O_AVG: agg(&sp, CRM_AGG_AVG, optarg); break;
		case O_MIN: agg(&sp, CRM_AGG_MIN, optarg); break;
		case O_MAX: agg(&sp, CRM_AGG_MAX, optarg); break;
		case O_DISTINCT: agg(&sp, CRM_AGG_DISTINCT, optarg); break;
		case O_TOP:
			sp.top = strtoul(optarg, &end, 10);
			if (*end || !sp.top || *optarg == '-')
				crm_die(2, "--top: '%s' is not a positive "
				    "number", optarg);
			break;
		case O_SORT: sp.sort = optarg; break;
		case O_CSV: form = CRM_TABLE_CSV; break;
		case O_CHART: chart = 1; break;
		case O_FUNNEL: analysis(&sp, CRM_REPORT_FUNNEL); break;
		case O_FORECAST: analysis(&sp, CRM_REPORT_FORECAST); break;
		case O_WINRATE: analysis(&sp, CRM_REPORT_WIN_RATE); break;
		case O_CYCLE: analysis(&sp, CRM_REPORT_CYCLE_TIME); break;
		case O_CHURN: analysis(&sp, CRM_REPORT_CHURN); break;
		case O_CAMPAIGN:
			analysis(&sp, CRM_REPORT_CAMPAIGN);
			sp.campaign = optarg;
			break;
		case O_WINDOW: window = optarg; break;
		default: crm_usage(usage);
		}
	}
	if (optind < argc)
		sp.type = argv[optind++];
	if (optind != argc || (!sp.type && sp.analysis != CRM_REPORT_CAMPAIGN))
		crm_usage(usage);
	if (o.format || o.nul)
		crm_die(2, "a report prints a table: -j, --csv or --chart, "
		    "not -f or -0");
	if (o.json)
		form = CRM_TABLE_JSON;
	if (sp.analysis && sp.naggs)
		crm_die(2, "an analysis makes its own columns: no --count, "
		    "--sum, ... with it");
	if (sp.analysis && sp.analysis != CRM_REPORT_PLAIN &&
	    sp.analysis >= CRM_REPORT_CHURN && sp.by)
		crm_die(2, "--by: not with --churn or --campaign");
	if (window && sp.analysis != CRM_REPORT_CAMPAIGN)
		crm_die(2, "--window: only with --campaign");
	if (!sp.analysis && !sp.naggs)
		agg(&sp, CRM_AGG_COUNT, NULL);
	sp.now = crm_now(&o);
	if (!window)
		window = "30d";
	snprintf(step, sizeof step, "%s%s", *window == '+' ? "" : "+",
	    window);
	sp.window = crm_date_or_die(&o, "--window", step) - sp.now;

	db = crm_open_or_die(&o, CRM_RDONLY, argc, argv);
	if ((rc = crm_read(db, &t)))
		crm_fail(rc, "cannot read");
	if ((rc = crm_report(t, &sp, &tb)))
		crm_fail(rc, NULL);
	rc = crm_table_print(tb, form, chart);
	crm_txn_end(t);
	crm_cli_done(db);
	if (rc)
		crm_die(3, "cannot write the output");
	rc = tb->matched ? 0 : 1;
	crm_table_free(tb);
	return rc;
}
