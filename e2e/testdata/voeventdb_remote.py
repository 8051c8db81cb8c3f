"""Query a Starling voeventdb API with the real voeventdb.remote client.

Reads a plan as JSON on standard input:
  {"host": "http://127.0.0.1:PORT",
   "cases": [{"filters": {"key": ["value", ...]}}, ...],
   "orders": ["ivorn", "-id", ...],
   "packets": ["ivo://...", ...]}
and prints, as JSON on standard output, what the client returned for each
endpoint: counts, IVORN lists (all pages), citation counts, maps, the
lists in each order (in pages of 7), and each packet's synopsis and XML
(as hex SHA-256). Starling's e2e test TestVoeventdbRemoteClient compares
these with answers it computes itself.
"""
import hashlib
import json
import sys

import requests
import voeventdb.remote.apiv1 as apiv1


def client_filters(filters):
    """The client takes one value per key, or a list for a repeated key."""
    out = {}
    for key, values in filters.items():
        out[key] = values[0] if len(values) == 1 else values
    return out


def main():
    plan = json.load(sys.stdin)
    host = plan["host"]
    result = {"cases": [], "orders": {}, "synopses": {}, "xml_sha256": {}}
    for case in plan["cases"]:
        f = client_filters(case["filters"])
        result["cases"].append({
            "count": apiv1.count(filters=f, host=host),
            "list": list(apiv1.list_ivorn(filters=f, n_max=0, host=host)),
            "ncites": [list(r) for r in apiv1.list_ivorn_ncites(filters=f, n_max=0, host=host)],
            "nrefs": [list(r) for r in apiv1.list_ivorn_nrefs(filters=f, n_max=0, host=host)],
            "authored_month_count": apiv1.map_authored_month_count(filters=f, host=host),
            "role_count": apiv1.map_role_count(filters=f, host=host),
            "stream_count": apiv1.map_stream_count(filters=f, host=host),
            "stream_role_count": apiv1.map_stream_role_count(filters=f, host=host),
        })
    for order in plan["orders"]:
        result["orders"][order] = list(apiv1.list_ivorn(order=order, pagesize=7, n_max=0, host=host))
    for ivorn in plan["packets"]:
        result["synopses"][ivorn] = apiv1.packet_synopsis(ivorn, host=host)
        result["xml_sha256"][ivorn] = hashlib.sha256(apiv1.packet_xml(ivorn, host=host)).hexdigest()
    # A bad filter is refused with HTTP 400, which the client raises.
    try:
        apiv1.count(filters={"dec_gt": "91"}, host=host)
        result["bad_filter"] = "accepted"
    except requests.exceptions.HTTPError as e:
        result["bad_filter"] = e.response.status_code
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
