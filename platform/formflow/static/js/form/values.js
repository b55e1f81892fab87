// Reading and writing each control's value as the API's JSON expects it (part of Formflow,
// MIT). Numbers stay exact (`Dec`), percents are fractions, date-times carry the user's
// time-zone offset, pickers hold ids, files hold the attachment objects of the API.

import { Dec } from "../lib/exactjson.js";
import { group, normalize, shift, textOf, withScale } from "../lib/decimal.js";
import { fieldsOf, own, part } from "./dom.js";
import { rowsOf, setRows } from "./subtable.js";
import { showFiles } from "./files.js";
import { showSignature } from "./signature.js";
import { showPick, showPicks } from "./pickers.js";

const TEXTS = new Set(["text", "email", "phone", "url", "textarea"]);
const NUMBERS = new Set(["number", "money", "slider"]);

// -- date-times in the user's time zone ------------------------------------------------------

function zoneParts(instant, timeZone) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { y: get("year"), m: get("month"), d: get("day"), h: get("hour"), min: get("minute"), s: get("second") };
}

function offsetMinutes(instant, timeZone) {
  const p = zoneParts(instant, timeZone);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
  return Math.round((asUtc - instant.getTime()) / 60000);
}

const pad = (n, size = 2) => String(n).padStart(size, "0");

// "2026-01-31T08:00" (wall clock in `timeZone`) -> "2026-01-31T08:00:00+08:00".
export function wallToIso(wall, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!match) return wall;
  const [, y, m, d, h, min, s = "00"] = match;
  const guess = new Date(Date.UTC(+y, +m - 1, +d, +h, +min, +s));
  let offset = offsetMinutes(guess, timeZone);
  offset = offsetMinutes(new Date(guess.getTime() - offset * 60000), timeZone);
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${y}-${m}-${d}T${h}:${min}:${s}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// "2026-01-31T00:00:00Z" -> "2026-01-31T08:00" in `timeZone` (for datetime-local inputs).
export function isoToWall(iso, timeZone) {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return "";
  const p = zoneParts(instant, timeZone);
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.h)}:${pad(p.min)}`;
}

// -- shown values of computed fields ---------------------------------------------------------

export function displayText(field, value, ctx) {
  if (value === undefined || value === null || value === "") return "";
  const type = field.dataset.type;
  const number = textOf(value);
  const scale = field.dataset.scale === undefined ? null : Number(field.dataset.scale);
  if (number !== null && (type === "money" || field.dataset.currency)) {
    return `${field.dataset.symbol || field.dataset.currency || ""} ${group(withScale(number, scale ?? 2))}`.trim();
  }
  if (number !== null && type === "percent") return `${shift(number, 2)} %`;
  if (number !== null && value !== true && value !== false && typeof value !== "string") {
    return group(withScale(number, scale));
  }
  if (type === "datetime" && typeof value === "string") return isoToWall(value, ctx.timezone).replace("T", " ");
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

// -- read ------------------------------------------------------------------------------------

const checkedValues = (field, type) =>
  own(field, `input[type="${type}"]`)
    .filter((input) => input.checked)
    .map((input) => input.value);

function readNumber(text, percent) {
  if (text.trim() === "") return undefined;
  const exact = normalize(text);
  if (exact === null) return text; // not a number: the server explains what is wrong
  return new Dec(percent ? shift(exact, -2) : exact);
}

export function readField(field, ctx) {
  const control = field.dataset.control;
  const input = part(field, "input");
  if (TEXTS.has(control)) return input.value.trim() === "" ? undefined : input.value;
  if (control === "idcard") return input.value.trim() === "" ? undefined : input.value.trim().toUpperCase();
  if (NUMBERS.has(control)) return readNumber(input.value, false);
  if (control === "percent") return readNumber(input.value, true);
  if (control === "rating") {
    const [value] = checkedValues(field, "radio");
    return value === undefined ? undefined : Number(value);
  }
  if (control === "date" || control === "time" || control === "select") return input.value || undefined;
  if (control === "datetime") return input.value ? wallToIso(input.value, ctx.timezone) : undefined;
  if (control === "radio") return checkedValues(field, "radio")[0];
  if (control === "checkboxes") {
    const values = checkedValues(field, "checkbox");
    return values.length ? values : undefined;
  }
  if (control === "multiselect") {
    const values = [...input.selectedOptions].map((option) => option.value);
    return values.length ? values : undefined;
  }
  if (control === "checkbox") return input.checked;
  if (control === "region") {
    const names = [];
    for (const piece of own(field, "[data-region]")) {
      const name = piece.value.trim();
      if (!name) break;
      names.push(name);
    }
    return names.length ? names : undefined;
  }
  if (control === "user" || control === "department" || control === "link") return field.ffValue ?? undefined;
  if (control === "users" || control === "departments") return field.ffValues?.length ? [...field.ffValues] : undefined;
  if (control === "files" || control === "images") return field.ffFiles?.length ? field.ffFiles.map((f) => ({ ...f })) : undefined;
  if (control === "signature") return field.ffFile ? { ...field.ffFile } : undefined;
  if (control === "location") {
    const get = (name) => own(field, `[data-loc="${name}"]`)[0].value.trim();
    const [lat, lng, address] = [get("lat"), get("lng"), get("address")];
    if (!lat && !lng && !address) return undefined;
    const out = {};
    if (lat) out.lat = readNumber(lat, false);
    if (lng) out.lng = readNumber(lng, false);
    if (address) out.address = address;
    return out;
  }
  if (control === "table") return rowsOf(field).map((row) => collect(row, ctx));
  return undefined; // output: computed by the server, never sent
}

// The data of a scope (the form or a row): {field: value}, empty values left out.
export function collect(scope, ctx) {
  const data = {};
  for (const field of fieldsOf(scope)) {
    const value = readField(field, ctx);
    if (value !== undefined) data[field.dataset.field] = value;
  }
  return data;
}

// -- write -----------------------------------------------------------------------------------

export function writeField(field, value, ctx) {
  const control = field.dataset.control;
  const input = part(field, "input");
  const empty = value === undefined || value === null;
  if (TEXTS.has(control) || control === "idcard") input.value = empty ? "" : String(value);
  else if (NUMBERS.has(control)) {
    input.value = empty ? "" : (textOf(value) ?? String(value));
    const shown = part(field, "slider-value");
    if (shown) shown.textContent = input.value;
  } else if (control === "percent") {
    const number = empty ? null : textOf(value);
    input.value = empty ? "" : number === null ? String(value) : shift(number, 2);
  } else if (control === "rating" || control === "radio") {
    for (const radio of own(field, 'input[type="radio"]')) radio.checked = !empty && radio.value === String(value);
  } else if (control === "date" || control === "time" || control === "select") {
    if (control === "select" && !empty && ![...input.options].some((o) => o.value === String(value))) {
      input.add(new Option(String(value), String(value)));
    }
    input.value = empty ? "" : String(value);
  } else if (control === "datetime") input.value = empty ? "" : isoToWall(String(value), ctx.timezone);
  else if (control === "checkboxes") {
    const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
    for (const box of own(field, 'input[type="checkbox"]')) box.checked = chosen.has(box.value);
  } else if (control === "multiselect") {
    const chosen = new Set(Array.isArray(value) ? value.map(String) : []);
    for (const option of input.options) option.selected = chosen.has(option.value);
  } else if (control === "checkbox") input.checked = value === true;
  else if (control === "region") {
    const names = Array.isArray(value) ? value : [];
    own(field, "[data-region]").forEach((piece, index) => {
      const name = names[index] ?? "";
      if (piece.tagName === "SELECT" && name && ![...piece.options].some((o) => o.value === name)) {
        piece.add(new Option(name, name));
      }
      piece.value = name;
    });
  } else if (control === "user" || control === "department" || control === "link") {
    showPick(field, empty ? undefined : value, ctx);
  } else if (control === "users" || control === "departments") {
    showPicks(field, empty ? [] : value, ctx);
  } else if (control === "files" || control === "images") {
    field.ffFiles = Array.isArray(value) ? value.map((item) => ({ ...item })) : [];
    showFiles(field, ctx);
  } else if (control === "signature") {
    field.ffFile = empty ? undefined : { ...value };
    showSignature(field, ctx);
  } else if (control === "location") {
    const place = value && typeof value === "object" ? value : {};
    for (const name of ["lat", "lng", "address"]) {
      const piece = own(field, `[data-loc="${name}"]`)[0];
      const item = place[name];
      piece.value = item === undefined || item === null ? "" : (textOf(item) ?? String(item));
    }
  } else if (control === "table") {
    setRows(field, Array.isArray(value) ? value : [], ctx);
  } else if (control === "output") {
    const text = displayText(field, value, ctx);
    input.textContent = text || "";
    if (!text && input.dataset.placeholder) {
      const hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = input.dataset.placeholder;
      input.append(hint);
    }
  }
}

// Fill a scope's fields from `data` (every field, so missing values clear their input).
export function fill(scope, data, ctx) {
  for (const field of fieldsOf(scope)) writeField(field, data?.[field.dataset.field], ctx);
}

// Only the computed values (outputs) of a scope, recursively through rows.
export function fillComputed(scope, data, ctx) {
  for (const field of fieldsOf(scope)) {
    const value = data?.[field.dataset.field];
    if (field.dataset.control === "output") writeField(field, value, ctx);
    else if (field.dataset.control === "table") {
      const rows = rowsOf(field);
      rows.forEach((row, index) => fillComputed(row, Array.isArray(value) ? value[index] : undefined, ctx));
    }
  }
}
