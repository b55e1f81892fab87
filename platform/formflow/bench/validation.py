"""``validate_valid`` and ``validate_invalid``: our form validation beside plain ``jsonschema``.

Ours is :meth:`CompiledForm.validate` (the compiled Rust validator first, python
``jsonschema`` only to explain a failure, plus the platform's own checks). The baseline is what
a developer would write without Formflow: ``jsonschema.Draft202012Validator(schema)`` built
once, ``list(validator.iter_errors(data))`` per document, on the platform's compiled schema
with the ``x-`` keywords removed, over the same documents.

Before anything is timed both must give the same verdict (valid or not) on a few hundred
generated valid and invalid documents; otherwise the comparison would be meaningless and the
benchmark stops with :class:`~formflow.errors.BenchmarkFailed`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator

from formflow.bench.results import BenchResult
from formflow.bench.timing import TimingPlan, measure
from formflow.bench.workload import documents, order_schema
from formflow.errors import BenchmarkFailed
from formflow.forms import CompiledForm, compile_form
from formflow.i18n import _

#: Documents of each kind (valid, invalid) compared before timing.
VERDICT_SAMPLE = 300
#: Documents each side cycles through while timed.
TIMED_SAMPLE = 100
TARGET_VALID_RATIO = 0.1


def plain_schema(schema: Any) -> Any:
    """``schema`` without Formflow's ``x-`` keywords: what plain JSON Schema tools see.

    Field names never start with ``x-`` (they are identifiers), so dropping every key that
    does removes exactly the platform's keywords.
    """
    if isinstance(schema, Mapping):
        return {
            key: plain_schema(value)
            for key, value in schema.items()
            if not (isinstance(key, str) and key.startswith("x-"))
        }
    if isinstance(schema, list):
        return [plain_schema(item) for item in schema]
    return schema


def _verdicts_disagree(
    form: CompiledForm, baseline: Any, sample: Sequence[dict[str, Any]]
) -> list[int]:
    return [
        index
        for index, document in enumerate(sample)
        if (not form.validate(document)) != (not list(baseline.iter_errors(document)))
    ]


def check_verdicts(form: CompiledForm, baseline: Any, count: int = VERDICT_SAMPLE) -> None:
    """Raise :class:`BenchmarkFailed` unless both validators agree on every sample document."""
    for valid in (True, False):
        sample = list(documents(count, valid=valid))
        disagree = _verdicts_disagree(form, baseline, sample)
        if disagree:
            raise BenchmarkFailed(
                _(
                    "Formflow's validation and plain jsonschema disagree on {count} of {total} "
                    "generated {kind} documents (the first is number {first}), so their speeds "
                    "cannot be compared. This is a bug in the form validation or in the "
                    "benchmark's documents; please report it with this message.",
                    count=len(disagree),
                    total=len(sample),
                    kind=_("valid") if valid else _("invalid"),
                    first=disagree[0],
                )
            )


def _cycling(call: Callable[[dict[str, Any]], object], sample: list[dict[str, Any]]) -> Any:
    cycle = itertools.cycle(sample)
    return lambda: call(next(cycle))


def run_validation(plan: TimingPlan) -> list[BenchResult]:
    """Check verdicts, then time both validators on valid and on invalid documents."""
    form = compile_form(order_schema(), form_key="bench_order")
    baseline = Draft202012Validator(plain_schema(form.schema))
    check_verdicts(form, baseline)
    results = []
    for valid in (True, False):
        sample = list(documents(TIMED_SAMPLE, valid=valid, start=VERDICT_SAMPLE))
        ours = measure(_cycling(form.validate, sample), plan)
        theirs = measure(_cycling(lambda doc: list(baseline.iter_errors(doc)), sample), plan)
        if valid:
            note = _(
                "CompiledForm.validate vs jsonschema Draft202012Validator.iter_errors, same "
                "schema, valid documents"
            )
        else:
            note = _(
                "one bad field per document; ours also explains each error in the user's language"
            )
        results.append(
            BenchResult(
                name="validate_valid" if valid else "validate_invalid",
                unit="s/document",
                ours=ours,
                baseline=theirs,
                note=note,
                target=TARGET_VALID_RATIO if valid else None,
            )
        )
    return results
