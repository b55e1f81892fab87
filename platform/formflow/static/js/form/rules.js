// Applying the server's answer to the page: what is visible, required and read-only, and
// the problems next to each field and in the summary (part of Formflow, MIT).

import { fieldsOf, format, own, part } from "./dom.js";
import { rowsOf } from "./subtable.js";

// Give every field its JSON path ($.items[2].qty) and index fields by path.
export function indexPaths(scope, prefix = "$", index = new Map()) {
  for (const field of fieldsOf(scope)) {
    const path = `${prefix}.${field.dataset.field}`;
    field.dataset.path = path;
    index.set(path, field);
    if (field.dataset.control === "table") {
      rowsOf(field).forEach((row, i) => indexPaths(row, `${path}[${i}]`, index));
    }
  }
  return index;
}

function focusables(field) {
  return own(field, "input, select, textarea, button").filter((el) => !el.closest("template"));
}

function setReadonly(field, readonly) {
  if (field.dataset.control === "output") return;
  field.classList.toggle("is-readonly", readonly);
  for (const element of focusables(field)) {
    const textual = element.tagName === "TEXTAREA" || (element.tagName === "INPUT" && /^(text|email|tel|url|date|time|datetime-local)$/.test(element.type) && !element.matches('[role="combobox"]'));
    if (textual) element.readOnly = readonly;
    else element.disabled = readonly;
  }
}

function setRequired(field, required) {
  const mark = part(field, "required");
  if (mark) mark.hidden = !required;
  const input = part(field, "input");
  if (input) {
    if (required) input.setAttribute("aria-required", "true");
    else input.removeAttribute("aria-required");
  }
}

// {sections: [bool], fields: {path: {visible, required, readonly}}}
export function applyUi(form, index, ui) {
  if (!ui) return;
  const sections = ui.sections || [];
  for (const section of form.querySelectorAll("[data-section]")) {
    const shown = sections[Number(section.dataset.section)];
    section.hidden = shown === false;
  }
  const states = ui.fields || {};
  for (const [path, field] of index) {
    const state = states[path] || { visible: true, required: false, readonly: false };
    field.hidden = state.visible === false;
    setRequired(field, Boolean(state.required));
    setReadonly(field, Boolean(state.readonly));
  }
  // Column headers of sub-tables: a star when the column is required in any row.
  for (const mark of form.querySelectorAll("[data-column-required]")) {
    const table = mark.closest(".field");
    const column = mark.dataset.columnRequired;
    const required = [...index.entries()].some(
      ([path, f]) => f.dataset.field === column && path.startsWith(`${table.dataset.path}[`) && states[path]?.required,
    );
    mark.hidden = !required;
  }
}

// The field a problem belongs to: the field at its path, else the nearest enclosing one.
function owner(index, path) {
  let current = path;
  while (current && current !== "$") {
    if (index.has(current)) return index.get(current);
    const cut = Math.max(current.lastIndexOf("."), current.lastIndexOf("["));
    if (cut <= 0) break;
    current = current.slice(0, cut);
  }
  return null;
}

function describe(input, ids) {
  const kept = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && !id.endsWith("-error"));
  const all = [...kept, ...ids];
  if (all.length) input.setAttribute("aria-describedby", all.join(" "));
  else input.removeAttribute("aria-describedby");
}

function showError(field, messages) {
  const box = part(field, "error");
  const input = part(field, "input");
  if (!box) return;
  box.textContent = messages.join(" ");
  box.hidden = messages.length === 0;
  field.classList.toggle("has-error", messages.length > 0);
  if (input) {
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    describe(input, messages.length ? [box.id] : []);
  }
}

// Show `errors` ([{path, message}]) next to their fields; `shown(field)` says which fields
// may show theirs now (all after a submit, touched ones while typing). Returns the problems
// with where they belong, for the summary.
export function applyErrors(index, errors, shown) {
  const byField = new Map();
  const loose = [];
  for (const error of errors) {
    const field = owner(index, error.path);
    if (field && !field.hidden) {
      if (!byField.has(field)) byField.set(field, []);
      byField.get(field).push(error.message);
    } else loose.push(error.message);
  }
  const listed = [];
  for (const field of index.values()) {
    const messages = byField.get(field) || [];
    showError(field, shown(field) ? messages : []);
    for (const message of messages) listed.push({ field, message });
  }
  return { listed, loose };
}

export function fillSummary(summary, problems, messages) {
  const title = summary.querySelector('[data-part="summary-title"]');
  const list = summary.querySelector('[data-part="summary-list"]');
  const count = problems.listed.length + problems.loose.length;
  list.replaceChildren();
  if (!count) {
    summary.hidden = true;
    return 0;
  }
  title.textContent = format(messages.fix_errors, { count });
  for (const { field, message } of problems.listed) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    const input = part(field, "input");
    const label = part(field, "label")?.firstChild?.textContent?.trim() || field.dataset.field;
    link.href = `#${input?.id || ""}`;
    link.textContent = message.startsWith(label) ? message : `${label}: ${message}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      field.closest("details")?.setAttribute("open", "");
      (input?.matches("input, select, textarea, button") ? input : focusables(field)[0])?.focus();
      field.scrollIntoView({ block: "center" });
    });
    item.append(link);
    list.append(item);
  }
  for (const message of problems.loose) {
    const item = document.createElement("li");
    item.textContent = message;
    list.append(item);
  }
  summary.hidden = false;
  return count;
}
