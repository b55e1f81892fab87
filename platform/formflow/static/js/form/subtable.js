// Sub-tables: add, remove and reorder rows, number them, and total numeric columns exactly
// (part of Formflow, MIT). Each row is a scope of its own; rows may hold sub-tables.

import { add, group, normalize, withScale } from "../lib/decimal.js";
import { changed, fieldsOf, format, own, part } from "./dom.js";
import { fill } from "./values.js";
import { initField } from "./widgets.js";

export function rowsOf(field) {
  const body = part(field, "rows");
  return body ? [...body.children].filter((row) => row.matches("[data-row]")) : [];
}

function renumber(field, ctx) {
  const rows = rowsOf(field);
  rows.forEach((row, index) => {
    const n = index + 1;
    const number = row.querySelector('[data-part="rownum"]');
    if (number) number.textContent = String(n);
    const label = (key) => format(ctx.messages[key], { n });
    const buttons = own(field, "[data-action]").filter((b) => b.closest("[data-row]") === row);
    for (const button of buttons) {
      const action = button.dataset.action;
      if (action === "row-up") {
        button.setAttribute("aria-label", label("move_up"));
        button.disabled = index === 0;
      } else if (action === "row-down") {
        button.setAttribute("aria-label", label("move_down"));
        button.disabled = index === rows.length - 1;
      } else if (action === "row-remove") button.setAttribute("aria-label", label("remove_row"));
    }
  });
  const empty = part(field, "no-rows");
  if (empty) empty.hidden = rows.length > 0;
  updateTotals(field);
}

// Column totals in the footer, summed exactly from what is typed.
export function updateTotals(field) {
  for (const cell of own(field, "td[data-total].total")) {
    const column = cell.dataset.total;
    let sum = null;
    let scale = null;
    for (const row of rowsOf(field)) {
      const columnField = fieldsOf(row).find((f) => f.dataset.field === column);
      const input = columnField && part(columnField, "input");
      if (columnField?.dataset.scale !== undefined) scale = Number(columnField.dataset.scale);
      const value = input ? normalize(input.value) : null;
      if (value !== null) sum = sum === null ? value : add(sum, value);
    }
    cell.textContent = sum === null ? "" : group(withScale(sum, scale));
  }
}

export function addRow(field, values, ctx, { focus = false } = {}) {
  const template = part(field, "row-template");
  const row = template.content.firstElementChild.cloneNode(true);
  part(field, "rows").append(row);
  for (const inner of row.querySelectorAll(".field[data-field]")) initField(inner, ctx);
  fill(row, values || {}, ctx);
  renumber(field, ctx);
  if (focus) row.querySelector("input, select, textarea")?.focus();
  return row;
}

export function setRows(field, rows, ctx) {
  part(field, "rows").replaceChildren();
  for (const values of rows) addRow(field, values, ctx);
  renumber(field, ctx);
}

export function initTable(field, ctx) {
  field.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || button.closest(".field") !== field) return;
    const action = button.dataset.action;
    const row = button.closest("[data-row]");
    if (action === "add-row") {
      addRow(field, {}, ctx, { focus: true });
    } else if (action === "row-remove" && row) {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(field, ctx);
      (next?.querySelector("input, select, textarea") || part(field, "rows").closest(".subtable").querySelector('[data-action="add-row"]'))?.focus();
    } else if (action === "row-up" && row?.previousElementSibling) {
      row.previousElementSibling.before(row);
      renumber(field, ctx);
      button.focus();
    } else if (action === "row-down" && row?.nextElementSibling) {
      row.nextElementSibling.after(row);
      renumber(field, ctx);
      button.focus();
    } else return;
    changed(field);
  });
  field.addEventListener("input", () => updateTotals(field));
  renumber(field, ctx);
}
