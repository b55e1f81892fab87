"""The form page's view of a compiled form: sections, fields and the control for each.

:func:`build_layout` turns a :class:`~formflow.forms.CompiledForm` into plain data for the
templates: labels, help texts and option labels picked in the reader's language (still
untrusted text — the templates escape it), and per field the *control* that shows it, chosen
from the field type and the UI schema's widget. The browser reads the same control name
(``data-control``) to read and write values, so the two always agree.

Rules (visibility, required, read-only, formulas, validation) are not decided here: the page
asks the server for them while the user types (``POST /api/forms/{key}/validate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_currency_symbol

from formflow.forms import CompiledForm, FieldSpec, FieldUi
from formflow.i18n import pick

#: (field type, widget) -> control; a missing widget entry falls back to the type's entry.
_CONTROLS: dict[str, dict[str, str]] = {
    "text": {"": "text", "textarea": "textarea"},
    "textarea": {"": "textarea"},
    "number": {"": "number", "slider": "slider"},
    "integer": {"": "number", "slider": "slider"},
    "money": {"": "money", "number": "number"},
    "percent": {"": "percent"},
    "rating": {"": "rating", "number": "number"},
    "date": {"": "date"},
    "datetime": {"": "datetime"},
    "time": {"": "time"},
    "select": {"": "select", "radio": "radio", "segmented": "radio"},
    "multiselect": {"": "checkboxes", "multi_dropdown": "multiselect"},
    "boolean": {"": "checkbox"},
    "email": {"": "email", "input": "text"},
    "phone": {"": "phone", "input": "text"},
    "url": {"": "url", "input": "text"},
    "idcard": {"": "idcard"},
    "region": {"": "region"},
    "user": {"": "user"},
    "users": {"": "users"},
    "department": {"": "department"},
    "departments": {"": "departments"},
    "uscc": {"": "text"},
    "link": {"": "link"},
    "subtable": {"": "table"},
    "attachments": {"": "files"},
    "images": {"": "images"},
    "signature": {"": "signature"},
    "location": {"": "location"},
}

#: Controls whose value is a number typed as text (kept exact, never a float).
NUMERIC_CONTROLS = frozenset({"number", "money", "percent", "slider", "rating"})
#: Field types whose sub-table column gets a total in the table's footer.
TOTALLED_TYPES = frozenset({"money", "number", "integer"})


def control_for(spec: FieldSpec, widget: str) -> str:
    """The control that shows ``spec`` with ``widget`` (``output`` for computed values)."""
    if spec.is_system:
        return "output"
    table = _CONTROLS.get(spec.type_name, {"": "text"})
    return table.get(widget, table[""])


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FieldView:
    """One field (or sub-table column) as the templates and the page script see it."""

    name: str
    path: str
    type: str
    widget: str
    control: str
    label: str
    required: bool = False
    help: str = ""
    placeholder: str = ""
    width: int = 1
    options: tuple[Choice, ...] = ()
    columns: tuple[FieldView, ...] = ()
    currency: str = ""
    currency_symbol: str = ""
    currency_field: str = ""  # the field holding the currency (x-currency: {"field": ...})
    scale: int | None = None
    accept: tuple[str, ...] = ()
    max_size: int | None = None
    max_files: int | None = None
    rating_max: int = 5
    region_level: int = 3
    link_form: str = ""
    link_display: str = ""
    minimum: str = ""
    maximum: str = ""
    max_length: int | None = None
    totalled: bool = False
    attrs: Mapping[str, str] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        """The id of the field's main input (top-level fields; rows get ids in the browser)."""
        return "f-" + self.path.replace(".", "-")

    @property
    def is_group(self) -> bool:
        """True when the field shows several inputs under one caption (a fieldset)."""
        return self.control in {
            "radio",
            "checkboxes",
            "rating",
            "region",
            "location",
            "files",
            "images",
            "signature",
            "table",
        }


@dataclass(frozen=True)
class SectionView:
    index: int
    title: str
    columns: int
    fields: tuple[FieldView, ...]
    collapsed: bool = False


@dataclass(frozen=True)
class FormLayout:
    key: str
    title: str
    sections: tuple[SectionView, ...]
    fields: Mapping[str, FieldView]


def _number_text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value)


def _attrs(spec: FieldSpec) -> dict[str, str]:
    """``data-*`` attributes the page script reads (limits it checks before uploading)."""
    schema = spec.schema
    out: dict[str, str] = {}
    if spec.scale is not None:
        out["data-scale"] = str(spec.scale)
    if spec.type_name == "integer":
        out["data-integer"] = "1"
    if schema.get("x-max-size") is not None:
        out["data-max-size"] = str(schema["x-max-size"])
    if schema.get("x-max-files") is not None:
        out["data-max-files"] = str(schema["x-max-files"])
    if spec.link is not None:
        out["data-link-form"] = spec.link.form
        out["data-link-display"] = spec.link.display or ""
    if spec.currency:
        out["data-currency"] = spec.currency
    if spec.currency_field:
        out["data-currency-field"] = spec.currency_field
    return out


def field_view(spec: FieldSpec, ui: Mapping[str, FieldUi], locale: str) -> FieldView:
    """The view of one field (recursively of a sub-table's columns)."""
    setting = ui.get(spec.path)
    widget = setting.widget if setting is not None else spec.type.default_widget
    control = control_for(spec, widget)
    schema = spec.schema
    accept = tuple(schema.get("x-accept") or (("image/*",) if control in {"images"} else ()))
    if control == "signature" and not accept:
        accept = ("image/png",)
    currency = spec.currency or (
        "CNY" if spec.type_name == "money" and spec.currency_field is None else ""
    )
    symbol = get_currency_symbol(currency, locale=locale.replace("-", "_")) if currency else ""
    columns = tuple(field_view(child, ui, locale) for child in spec.children.values())
    return FieldView(
        name=spec.name,
        path=spec.path,
        type=spec.type_name,
        widget=widget,
        control=control,
        label=pick(spec.label, locale, spec.name),
        required=spec.required,
        help=pick(setting.help, locale) if setting is not None and setting.help else "",
        placeholder=(
            pick(setting.placeholder, locale) if setting is not None and setting.placeholder else ""
        ),
        width=setting.width if setting is not None else 1,
        options=tuple(
            Choice(option.value, pick(option.label, locale, option.value))
            for option in spec.options
        ),
        columns=columns,
        currency=currency,
        currency_symbol=symbol,
        currency_field=spec.currency_field or "",
        scale=spec.scale,
        accept=accept,
        max_size=schema.get("x-max-size"),
        max_files=schema.get("x-max-files") if control != "signature" else 1,
        rating_max=int(schema.get("x-rating-max", 5)),
        region_level=int(schema.get("x-region-level", 3)),
        link_form=spec.link.form if spec.link is not None else "",
        link_display=(spec.link.display or "") if spec.link is not None else "",
        minimum=_number_text(schema.get("minimum")),
        maximum=_number_text(schema.get("maximum")),
        max_length=schema.get("maxLength") if isinstance(schema.get("maxLength"), int) else None,
        totalled=spec.type_name in TOTALLED_TYPES and not spec.is_system,
        attrs=_attrs(spec),
    )


def build_layout(
    form: CompiledForm, key: str, title: Any, locale: str, *, entry: bool = False
) -> FormLayout:
    """The sections and fields of ``form`` for the page, in the reader's language.

    ``entry`` is for the page where a request is filled in: the fields only the flow fills
    (``x-flow-only``) are left out.
    """
    hidden = set(form.flow_only) if entry else set()
    views = {
        name: field_view(spec, form.ui.fields, locale)
        for name, spec in form.fields.items()
        if name not in hidden
    }
    sections = []
    placed: set[str] = set()
    for index, section in enumerate(form.ui.sections):
        names = [name for name in section.fields if name in views]
        placed.update(names)
        sections.append(
            SectionView(
                index=index,
                title=pick(section.title, locale) if section.title else "",
                columns=max(1, min(section.columns, 4)),
                fields=tuple(views[name] for name in names),
                collapsed=section.collapsed,
            )
        )
    rest = [name for name in views if name not in placed]
    if rest:
        sections.append(SectionView(len(sections), "", 1, tuple(views[name] for name in rest)))
    return FormLayout(
        key=key, title=pick(title, locale, key), sections=tuple(sections), fields=views
    )
