// The record list (part of Formflow, MIT): a filter builder that writes the expression
// language. Rows of field / condition / value, joined by "and" or "or", become the text in the
// filter box — which is what the server runs, and which people may edit by hand. A filter the
// server could not read is marked at its line and column.
//
// Everything shown comes from the page's config as text (textContent, option labels), never
// as markup.

import { parse } from "./lib/exactjson.js";
import { normalize } from "./lib/decimal.js";

const config = parse(document.getElementById("builder-config").textContent);
const box = document.getElementById("filter-builder");
const text = document.getElementById("filter-text");
const words = config.messages;
const fields = new Map(config.fields.map((f) => [f.name, f]));
const OPERATORS = {
  text: ["eq", "ne", "contains", "starts", "empty", "filled"],
  number: ["eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"],
  date: ["eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"],
  datetime: ["lt", "le", "gt", "ge", "empty", "filled"],
  time: ["eq", "ne", "lt", "le", "gt", "ge", "empty", "filled"],
  boolean: ["eq"],
  choice: ["eq", "ne", "empty", "filled"],
  choices: ["has", "empty", "filled"],
  user: ["eq", "ne", "empty", "filled"],
  department: ["eq", "ne", "empty", "filled"],
};
const SYMBOLS = { eq: "=", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
const NO_VALUE = new Set(["empty", "filled"]);

let counter = 0;
let state = { join: "and", rows: [] };
let byHand = false;

function quote(value) {
  return `'${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function literal(field, value) {
  const kind = field.kind;
  if (kind === "number") return normalize(value) ?? quote(value);
  if (kind === "boolean") return value === "false" ? "false" : "true";
  if (kind === "user" || kind === "department") return /^\d+$/.test(value) ? value : quote(value);
  if (kind === "date") return `date(${quote(value)})`;
  if (kind === "datetime") return `datetime(${quote(value)})`;
  if (kind === "time") return `time(${quote(value)})`;
  return quote(value);
}

function condition(row) {
  const field = fields.get(row.field);
  if (!field) return "";
  const name = field.name;
  if (row.op === "empty") return `is_empty(${name})`;
  if (row.op === "filled") return `not is_empty(${name})`;
  if (row.value === "" || row.value === undefined) return "";
  if (row.op === "contains" || row.op === "has") return `contains(${name}, ${quote(row.value)})`;
  if (row.op === "starts") return `starts_with(${name}, ${quote(row.value)})`;
  return `${name} ${SYMBOLS[row.op]} ${literal(field, row.value)}`;
}

function expression() {
  const parts = state.rows.map(condition).filter(Boolean);
  if (state.join === "or" && parts.length > 1) return parts.join(" or ");
  return parts.join(" and ");
}

function write() {
  text.value = expression();
}

function element(tag, attributes = {}, label = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (label) node.textContent = label;
  return node;
}

function select(options, current, label) {
  const node = element("select", { "aria-label": label });
  for (const [value, text_] of options) {
    const option = new Option(text_, value);
    option.selected = value === current;
    node.append(option);
  }
  return node;
}

function valueInput(field, row, label) {
  const kind = field.kind;
  if (kind === "boolean") {
    if (!row.value) row.value = "true";
    return select([["true", words.yes], ["false", words.no]], row.value, label);
  }
  const choices = kind === "choice" || kind === "choices" ? field.options : kind === "user" || kind === "department" ? config.people[kind] : null;
  if (choices && choices.length) {
    return select([["", words.choose], ...choices.map((o) => [o.value, o.label])], row.value, label);
  }
  const type = { number: "text", date: "date", datetime: "datetime-local", time: "time" }[kind] || "text";
  const input = element("input", { type, "aria-label": label });
  if (kind === "number" || kind === "user" || kind === "department") input.inputMode = kind === "number" ? "decimal" : "numeric";
  input.value = row.value || "";
  return input;
}

function renderRow(row, index) {
  const item = element("li", { class: "filter-row" });
  const field = fields.get(row.field) || config.fields[0];
  row.field = field.name;
  const ops = OPERATORS[field.kind];
  if (!ops.includes(row.op)) row.op = ops[0];
  const n = index + 1;
  const fieldSelect = select(config.fields.map((f) => [f.name, f.label]), row.field, `${words.field} ${n}`);
  const opSelect = select(ops.map((op) => [op, config.operators[op]]), row.op, `${words.operator} ${n}`);
  fieldSelect.addEventListener("change", () => {
    row.field = fieldSelect.value;
    row.value = "";
    render();
    write();
  });
  opSelect.addEventListener("change", () => {
    row.op = opSelect.value;
    render();
    write();
  });
  item.append(fieldSelect, opSelect);
  if (!NO_VALUE.has(row.op)) {
    const value = valueInput(field, row, `${words.value} ${n}`);
    value.addEventListener(value.tagName === "SELECT" ? "change" : "input", () => {
      row.value = value.value;
      write();
    });
    item.append(value);
  }
  const remove = element("button", { type: "button", class: "iconbutton small danger", "aria-label": `${words.remove} (${n})` }, "×");
  remove.addEventListener("click", () => {
    state.rows.splice(index, 1);
    render();
    write();
    (box.querySelector(".filter-row select") || box.querySelector("[data-add]"))?.focus();
  });
  item.append(remove);
  return item;
}

function render() {
  box.replaceChildren();
  if (byHand) {
    const note = element("p", { class: "muted" }, words.by_hand);
    const again = element("button", { type: "button" }, words.start_over);
    again.addEventListener("click", () => {
      byHand = false;
      state = { join: "and", rows: [] };
      render();
      write();
    });
    box.append(note, again);
    return;
  }
  const join = element("div", { class: "choices segmented", role: "radiogroup", "aria-label": words.combine });
  for (const [wanted, label] of [["and", words.all], ["or", words.any]]) {
    const choice = element("label", { class: "choice" });
    const radio = element("input", { type: "radio", name: `join-${counter}`, value: wanted });
    radio.checked = state.join === wanted;
    radio.addEventListener("change", () => {
      state.join = wanted;
      write();
    });
    choice.append(radio, element("span", {}, label));
    join.append(choice);
  }
  if (state.rows.length > 1) box.append(join);
  const list = element("ol", { class: "filter-rows", "aria-label": words.conditions });
  state.rows.forEach((row, index) => list.append(renderRow(row, index)));
  box.append(list);
  const add = element("button", { type: "button", "data-add": "" }, `+ ${words.add}`);
  add.addEventListener("click", () => {
    state.rows.push({ field: config.fields[0].name, op: "", value: "" });
    render();
    write();
    const selects = box.querySelectorAll(".filter-row:last-child select");
    selects[0]?.focus();
  });
  box.append(add);
}

// Mark where the server found a problem: select that spot in the filter box.
function markProblem() {
  const problem = document.querySelector("#filter-problems [data-line]");
  if (!problem) return;
  const line = Number(problem.dataset.line);
  const column = Number(problem.dataset.column);
  const lines = text.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
  offset += Math.max(column - 1, 0);
  text.focus();
  text.setSelectionRange(offset, Math.min(offset + 1, text.value.length));
}

function start() {
  counter += 1;
  if (config.fields.length) {
    if (config.rows === null) byHand = true;
    else state = { join: config.rows.join, rows: config.rows.rows.map((r) => ({ ...r })) };
    box.hidden = false;
    render();
    // Typing in the box by hand leaves the builder behind (its rows would overwrite the text).
    text.addEventListener("input", () => {
      if (!byHand && text.value.trim() !== expression()) {
        byHand = true;
        render();
      }
    });
  }
  markProblem();
}

start();
