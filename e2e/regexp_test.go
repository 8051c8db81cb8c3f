package e2e

import "regexp"

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

func findAll(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
