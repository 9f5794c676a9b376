/* Unit tests for lib/stats/prom: every seed metric, HELP and TYPE lines,
 * and our families in base units beside them. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/prom.h"

#include "../../tap.h"

int
main(void)
{
	json_t *j = json_loads(
	    "{\"total\":125432,\"blocked\":8921,"
	    "\"nxdomain\":4500,\"refused\":8921,\"servfail\":11,"
	    "\"forwarded\":112000,\"local_hits\":3200,\"uptime_secs\":3600,"
	    "\"qps_1m\":34.7,\"qps_5m\":31.2,\"qps_peak\":410,"
	    "\"latency_p50_ms\":0.3,\"latency_p95_ms\":4.2,"
	    "\"latency_p99_ms\":22.5,\"cache_hit_rate\":68.4,"
	    "\"cache_entries\":2941,\"dnssec\":{\"secure\":1042,\"bogus\":3,"
	    "\"insecure\":897},\"cached\":2941,\"cache_lookups\":4300,"
	    "\"blocks\":{\"total\":13421,\"nxdomain\":4500,"
	    "\"refuse\":8921},\"rcodes\":{\"NOERROR\":112000,"
	    "\"NXDOMAIN\":4500,\"REFUSED\":8921,\"other\":0},"
	    "\"transport\":{\"udp\":125000,\"tcp\":432},\"dropped\":0,"
	    "\"query_duration_seconds\":{\"buckets\":[{\"le\":0.0001,"
	    "\"count\":100000},{\"le\":0.00025,\"count\":120000}],"
	    "\"count\":125432,\"sum\":81.5}}",
	    0, NULL);
	static const char *const want[] = {
		"# HELP runbound_queries_total Total DNS queries received\n",
		"# TYPE runbound_queries_total counter\n",
		"\nrunbound_queries_total 125432\n",
		"\nrunbound_blocked_total 8921\n",
		"\nrunbound_nxdomain_total 4500\n",
		"\nrunbound_refused_total 8921\n",
		"\nrunbound_servfail_total 11\n",
		"\nrunbound_forwarded_total 112000\n",
		"\nrunbound_local_hits_total 3200\n",
		"\nrunbound_uptime_seconds 3600\n",
		"# TYPE runbound_qps gauge\n",
		"\nrunbound_qps{window=\"1m\"} 34.7\n",
		"\nrunbound_qps{window=\"5m\"} 31.2\n",
		"\nrunbound_qps{window=\"peak\"} 410\n",
		"\nrunbound_latency_ms{quantile=\"0.5\"} 0.3\n",
		"\nrunbound_latency_ms{quantile=\"0.95\"} 4.2\n",
		"\nrunbound_latency_ms{quantile=\"0.99\"} 22.5\n",
		"\nrunbound_cache_hit_rate 68.4\n",
		"\nrunbound_cache_entries 2941\n",
		"# TYPE runbound_dnssec_total counter\n",
		"\nrunbound_dnssec_total{status=\"secure\"} 1042\n",
		"\nrunbound_dnssec_total{status=\"bogus\"} 3\n",
		"\nrunbound_dnssec_total{status=\"insecure\"} 897\n",
		"# TYPE runbound_latency_ms summary\n",
		"\nrunbound_latency_ms_sum 81500\n",
		"\nrunbound_latency_ms_count 125432\n",
		"# TYPE runbound_query_duration_seconds histogram\n",
		"\nrunbound_query_duration_seconds_bucket{le=\"0.0001\"} "
		"100000\n",
		"\nrunbound_query_duration_seconds_bucket{le=\"0.00025\"} "
		"120000\n",
		"\nrunbound_query_duration_seconds_bucket{le=\"+Inf\"} "
		"125432\n",
		"\nrunbound_query_duration_seconds_sum 81.5\n",
		"\nrunbound_query_duration_seconds_count 125432\n",
		"\nrunbound_dns_requests_total{transport=\"udp\"} 125000\n",
		"\nrunbound_dns_requests_total{transport=\"tcp\"} 432\n",
		"\nrunbound_dns_requests_dropped_total 0\n",
		"\nrunbound_dns_responses_total{rcode=\"NOERROR\"} 112000\n",
		"\nrunbound_dns_responses_total{rcode=\"REFUSED\"} 8921\n",
		"\nrunbound_dns_responses_total{rcode=\"NOTAUTH\"} 0\n",
		"\nrunbound_dns_responses_total{rcode=\"other\"} 0\n",
		"\nrunbound_blocklist_hits_total{action=\"nxdomain\"} 4500\n",
		"\nrunbound_blocklist_hits_total{action=\"refuse\"} 8921\n",
		"\nrunbound_cache_hits_total 2941\n",
		"\nrunbound_cache_lookups_total 4300\n",
	};
	size_t len = 0, helps = 0, types = 0;
	char *text = rb_stats_prom(j, &len);

	ok(text != NULL && len == strlen(text), "rendered");
	if (text == NULL)
		bail("no text");
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ok(strstr(text, want[i]) != NULL, "has %.*s",
		    (int)strcspn(want[i] + (want[i][0] == '\n'), "\n"),
		    want[i] + (want[i][0] == '\n'));
	for (const char *p = text; (p = strstr(p, "# HELP ")) != NULL; p++)
		helps++;
	for (const char *p = text; (p = strstr(p, "# TYPE ")) != NULL; p++)
		types++;
	is_int((long)helps, 20, "20 families with HELP");
	is_int((long)types, 20, "and TYPE");
	free(text);
	json_decref(j);
	j = json_object();
	text = rb_stats_prom(j, &len);
	ok(text != NULL && strstr(text, "\nrunbound_queries_total 0\n") &&
	        strstr(text,
	            "\nrunbound_query_duration_seconds_bucket{le=\"+Inf\"} "
	            "0\n"),
	    "missing fields read 0");
	free(text);
	json_decref(j);
	done_testing();
	return exit_status();
}
