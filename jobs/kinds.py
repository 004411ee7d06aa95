"""The kinds of background job: kind -> function(job, report_progress) returning a JSON-ready result.

report_progress(percent, message="") records how far the job got; it raises jobs.runner.Cancelled
when someone cancelled the job, so a long job stops at its next report. A new kind is one line here."""

from matching.review import run_match
from reports.cache import run_refresh
from reports.tallies import run_build

KINDS = {
    "match": run_match,
    "figures": run_refresh,
    "tallies": run_build,
}
