"""Figures counted in one request share their sets of direct beneficiaries (reports.reach.built_once).

The results page, the dashboard, the API's reach and results and every export count reach by each
trait and the whole framework one after another, each over the same set; at a million persons
building that set is most of each figure's cost. A request is one computation: each set is built
once, into a temporary table dropped when the response is ready. Nothing is built for a request
that counts no figures."""

from reports.reach import built_once


class FiguresOncePerRequest:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with built_once():
            return self.get_response(request)
