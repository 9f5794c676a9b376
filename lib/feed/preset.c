/*
 * preset: a fixed table.  The URLs are the lists' canonical download
 * addresses (OISD's old dbl.oisd.nl answers 410 and is not used); sizes in
 * the descriptions are rough and only help a user choose.
 */

#include "feed/preset.h"

static const struct {
	const char *name, *url, *format, *action, *description;
} presets[] = {
	{ "StevenBlack \xe2\x80\x94 Ads & Malware (unified)",
	    "https://raw.githubusercontent.com/StevenBlack/hosts/master/hosts",
	    "hosts", "refuse",
	    "Unified hosts file: adware and malware (~150k domains)" },
	{ "StevenBlack \xe2\x80\x94 Ads, Malware & Porn",
	    "https://raw.githubusercontent.com/StevenBlack/hosts/master/"
	    "alternates/porn/hosts",
	    "hosts", "refuse", "Unified hosts file plus pornography sites" },
	{ "OISD \xe2\x80\x94 Basic", "https://small.oisd.nl/", "adblock",
	    "refuse",
	    "OISD small: ads and trackers with few false "
	    "positives (~100k domains)" },
	{ "OISD \xe2\x80\x94 Big (full list)", "https://big.oisd.nl/",
	    "adblock", "refuse",
	    "OISD big: ads, trackers, malware and more (~600k domains)" },
	{ "Hagezi \xe2\x80\x94 Pro",
	    "https://raw.githubusercontent.com/hagezi/dns-blocklists/main/"
	    "hosts/pro.txt",
	    "hosts", "refuse",
	    "Hagezi Pro: ads, tracking, malware, phishing (~350k domains)" },
	{ "Hagezi \xe2\x80\x94 Pro++ (aggressive)",
	    "https://raw.githubusercontent.com/hagezi/dns-blocklists/main/"
	    "hosts/pro.plus.txt",
	    "hosts", "refuse",
	    "Hagezi Pro++: more aggressive, may break some sites (~550k "
	    "domains)" },
	{ "Windows Telemetry \xe2\x80\x94 WindowsSpyBlocker",
	    "https://raw.githubusercontent.com/crazy-max/WindowsSpyBlocker/"
	    "master/data/hosts/spy.txt",
	    "hosts", "nxdomain", "Microsoft Windows telemetry hosts" },
	{ "AdGuard DNS Filter",
	    "https://adguardteam.github.io/AdGuardSDNSFilter/Filters/"
	    "filter.txt",
	    "adblock", "refuse",
	    "AdGuard's DNS filter: ads and trackers (~80k rules)" },
	{ "URLhaus \xe2\x80\x94 Malware",
	    "https://urlhaus.abuse.ch/downloads/hostfile/", "hosts", "nxdomain",
	    "abuse.ch URLhaus: hosts serving malware" },
};

json_t *
rb_feed_preset_all(void)
{
	size_t n = sizeof presets / sizeof presets[0];
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		if (json_array_append_new(arr,
		        json_pack("{s:s, s:s, s:s, s:s, "
		                  "s:s}",
		            "name", presets[i].name, "url", presets[i].url,
		            "format", presets[i].format, "action",
		            presets[i].action, "description",
		            presets[i].description)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	if (arr == NULL)
		return NULL;
	return json_pack("{s:o, s:I}", "presets", arr, "total", (json_int_t)n);
}
