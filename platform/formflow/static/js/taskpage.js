// The task page (part of Formflow, MIT): the fields the step lets this person change, and the
// person pickers of transfer / delegate / add an approver. The forms post to the server as
// they are; this script only puts the edited values (as exact JSON) and the chosen person
// (as an id) into their hidden inputs first, and shows a refused change next to its field.

import { parse, stringify } from "./lib/exactjson.js";
import { fieldsOf, part } from "./form/dom.js";
import { applyErrors } from "./form/rules.js";
import { collect, fill } from "./form/values.js";
import { initField } from "./form/widgets.js";

const config = parse(document.getElementById("task-config").textContent);
const ctx = {
  messages: config.messages,
  refs: config.refs || {},
  timezone: config.timezone,
  maxUpload: config.maxUpload,
  regionCatalogue: config.regionCatalogue,
};
const area = document.getElementById("task-fields");

function rowsOf(table) {
  return [...document.querySelectorAll(`[data-edit-row="${CSS.escape(table)}"]`)];
}

// Every editable field, by the JSON path the server names it with.
function index() {
  const found = new Map();
  if (!area) return found;
  for (const field of fieldsOf(area)) found.set(`$.${field.dataset.field}`, field);
  for (const table of Object.keys(config.tables)) {
    rowsOf(table).forEach((row, i) => {
      for (const field of fieldsOf(row)) found.set(`$.${table}[${i}].${field.dataset.field}`, field);
    });
  }
  return found;
}

// The change to send: every editable field (null when emptied), and for a table with
// editable columns every row with just those columns.
function changes() {
  const top = collect(area, ctx);
  const data = {};
  for (const name of config.editable) data[name] = top[name] ?? null;
  for (const [table, columns] of Object.entries(config.tables)) {
    data[table] = rowsOf(table).map((row) => {
      const values = collect(row, ctx);
      const out = {};
      for (const column of columns) out[column] = values[column] ?? null;
      return out;
    });
  }
  return data;
}

function startEditing() {
  if (!area) return;
  for (const field of area.querySelectorAll(".field[data-field]")) initField(field, ctx);
  fill(area, config.data || {}, ctx);
  for (const table of Object.keys(config.tables)) {
    const rows = Array.isArray(config.data?.[table]) ? config.data[table] : [];
    rowsOf(table).forEach((row, i) => fill(row, rows[i] || {}, ctx));
  }
  if (config.errors?.length) {
    applyErrors(index(), config.errors, () => true);
    const first = area.querySelector(".has-error");
    first?.scrollIntoView({ block: "center" });
  }
  const form = area.closest("form");
  form.addEventListener("submit", () => {
    form.querySelector('input[name="data"]').value = stringify(changes());
  });
}

function startPickers() {
  for (const form of document.querySelectorAll("[data-person-form]")) {
    const field = form.querySelector(".field[data-field]");
    initField(field, ctx);
    form.addEventListener("submit", (event) => {
      const chosen = field.ffValue;
      const error = part(field, "error");
      if (typeof chosen !== "number") {
        event.preventDefault();
        error.textContent = ctx.messages.pick_person;
        error.hidden = false;
        field.classList.add("has-error");
        part(field, "input")?.focus();
        return;
      }
      form.querySelector('input[name="user"]').value = String(chosen);
    });
  }
}

startEditing();
startPickers();
document.getElementById("task-error")?.scrollIntoView({ block: "center" });
