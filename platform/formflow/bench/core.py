"""``formflow bench core`` (issue 2): validation, record creation and filtered lists.

Validation needs no database. The other figures run in one throw-away database
(:mod:`formflow.bench.sandbox`): record creation first, on a nearly empty store, then the
list benchmark loads ``--records`` records and queries them.
"""

from __future__ import annotations

from formflow.bench.creation import run_creation
from formflow.bench.listing import run_listing
from formflow.bench.results import BenchResult
from formflow.bench.sandbox import bench_database
from formflow.bench.seed import publish_order_form, seed_world
from formflow.bench.suites import BenchOptions
from formflow.bench.validation import run_validation
from formflow.i18n import Msg, _


class CoreSuite:
    """Validation, record creation and filtered lists against their plain baselines."""

    name = "core"

    def availability(self) -> Msg | None:
        return None

    def run(self, options: BenchOptions) -> list[BenchResult]:
        progress = options.progress
        with bench_database(options.database_url) as database:  # a bad URL fails first
            progress(_("benchmark database ready ({dialect})", dialect=database.dialect))
            progress(_("timing validation"))
            results = run_validation(options.plan)
            world = seed_world(database)
            progress(_("timing record creation"))
            orders = publish_order_form(database, "bench_order")
            results.extend(run_creation(database, world, orders, options.plan))
            listed = publish_order_form(database, "bench_list")
            results.extend(
                run_listing(database, world, listed, options.records, options.plan, progress)
            )
        return results
