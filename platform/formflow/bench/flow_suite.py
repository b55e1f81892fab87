"""``formflow bench flow`` (issue 3): compiling a big flow, running requests through two
approvals, and one user's inbox among many open tasks.

The suite is available once the flow services exist (``formflow.services.flows``); its
modules import them only when it runs, so the rest of ``formflow bench`` works without them.
"""

from __future__ import annotations

import importlib.util

from formflow.bench.results import BenchResult
from formflow.bench.sandbox import bench_database
from formflow.bench.seed import seed_world
from formflow.bench.suites import BenchOptions
from formflow.i18n import Msg, _


class FlowSuite:
    """Flow compile time, approval throughput and the inbox against their baselines."""

    name = "flow"

    def availability(self) -> Msg | None:
        if importlib.util.find_spec("formflow.services.flows") is None:
            return _(
                "The flow benchmark is not available yet: flows are not stored by the "
                "platform so far (formflow.services.flows is still being built). Run "
                "`formflow bench core` meanwhile."
            )
        return None

    def run(self, options: BenchOptions) -> list[BenchResult]:
        from formflow.bench import flow_figures, flow_inbox, flow_world  # noqa: PLC0415

        progress = options.progress
        with bench_database(options.database_url) as database:
            progress(_("benchmark database ready ({dialect})", dialect=database.dialect))
            world = seed_world(database)
            flow = flow_world.seed_flow(database, world)
            progress(_("timing the compilation of a big flow"))
            results = [flow_figures.run_compile(database, flow, options.plan)]
            progress(_("timing requests through two approvals"))
            results.extend(flow_figures.run_approvals(database, world, flow, options.plan))
            open_tasks = min(options.records, flow_inbox.OPEN_TASKS)
            inbox = flow_inbox.prepare_inbox(database, flow, open_tasks, progress)
            progress(_("timing the inbox"))
            results.append(flow_inbox.run_inbox(database, inbox, options.plan))
        return results
