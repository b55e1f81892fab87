"""The Formflow expression language: one small, safe, typed language for every rule.

Used for computed fields (``total = sum(items, qty * price)``), UI conditions
(``leave_type = 'sick' and days > 2``), record filters (compiled to SQL by the storage layer),
flow conditions and field mappings, report filters and measures. ``docs/expressions.md`` is
the reference for form designers.

Pipeline::

    node = parse(source)                      # SourceError (friendly, with line/column)
    checked = check(node, scope, expect)      # never raises; checked.diagnostics, .ok, .fields
    checked = compile_expression(source, scope, expect)   # both; SourceError on any error
    value = evaluate(checked, record_data, EvalContext(...))

Embedding the grammar in a host grammar (the flow DSL)
------------------------------------------------------
The grammar is the file :func:`grammar_path` (``expr.lark``). A host grammar imports its
``expression`` rule and builds our nodes with lark's ``merge_transformers``::

    from lark import Lark, Transformer
    from lark.visitors import merge_transformers
    from formflow.expr import ExprTransformer, grammar_path

    HOST = r'''
        start: rule+
        rule: "when" expression "{" "}"
        %import expr.expression          // rules and terminals land in namespace expr__
        %ignore /\\s+/                    // the host decides what is whitespace
    '''
    host = Lark(HOST, parser="lalr", propagate_positions=True,
                import_paths=[grammar_path().parent])
    transformer = merge_transformers(HostTransformer(), expr=ExprTransformer())
    ast = transformer.transform(host.parse(text))

Rules to follow: the namespace passed to ``merge_transformers`` must be ``expr`` (the module
name of the grammar file); keep ``propagate_positions=True`` (node spans then hold positions in
the host text, so checker diagnostics need no shifting); call :func:`ensure_depth` on each
``expr__...`` subtree before transforming it, to keep the nesting limit; and the host's own
keywords should not be valid expression continuations at the end of an expression (``when a
{`` is fine, a host keyword ``and`` would not be). ``ExprTransformer`` reads token values,
never token types, so the ``expr__`` prefixes do not matter to it.
"""

from __future__ import annotations

from formflow.expr.checker import Checked, check, compile_expression
from formflow.expr.context import EvalContext, LookupTable, RefResolver
from formflow.expr.evaluator import evaluate
from formflow.expr.grammar import (
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    ExprTransformer,
    ensure_depth,
    grammar_path,
    parse,
)
from formflow.expr.nodes import Node, Span
from formflow.expr.scope import Scope
from formflow.expr.typesystem import (
    ANY,
    BOOLEAN,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    STRING,
    TIME,
    ListType,
    RefType,
    RowType,
    ScalarType,
    Type,
    describe,
)

__all__ = [
    "ANY",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "NULL",
    "NUMBER",
    "STRING",
    "TIME",
    "Checked",
    "EvalContext",
    "ExprTransformer",
    "ListType",
    "LookupTable",
    "Node",
    "RefResolver",
    "RefType",
    "RowType",
    "ScalarType",
    "Scope",
    "Span",
    "Type",
    "check",
    "compile_expression",
    "describe",
    "ensure_depth",
    "evaluate",
    "grammar_path",
    "parse",
]
