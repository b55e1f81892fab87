// Pickers with search for users, departments and linked records: an ARIA combobox
// (part of Formflow, MIT). The field's value is the chosen id (`field.ffValue`); the
// multi-pickers ("users", "departments") keep a list of ids (`field.ffValues`) shown as chips.
// Options and chips are built with textContent, so names from the directory are never read as
// markup.

import { request } from "../lib/api.js";
import { changed, debounce, format, own, part, uid } from "./dom.js";

const LIMIT = 20;
let departments = null;

const MULTI = { users: "user", departments: "department" };

// The single kind a control searches: "users" searches users.
function kindOf(control) {
  return MULTI[control] || control;
}

export function isMultiPicker(control) {
  return control in MULTI;
}

function refKey(control, id) {
  const kind = kindOf(control);
  return `${kind === "link" ? "record" : kind}:${id}`;
}

// Show the chosen ids of a multi-picker as chips, each with a button that removes it.
export function showPicks(field, values, ctx) {
  field.ffValues = Array.isArray(values) ? values.filter((v) => typeof v === "number") : [];
  const chips = part(field, "chips");
  chips.replaceChildren();
  for (const id of field.ffValues) {
    const chip = document.createElement("li");
    chip.className = "chip";
    const name = document.createElement("span");
    name.textContent = ctx.refs[refKey(field.dataset.control, id)] || `#${id}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "iconbutton small";
    remove.textContent = "×";
    remove.setAttribute("aria-label", format(ctx.messages.remove_pick || "×", { name: name.textContent }));
    remove.addEventListener("click", () => {
      showPicks(field, field.ffValues.filter((v) => v !== id), ctx);
      changed(field);
    });
    chip.append(name, remove);
    chips.append(chip);
  }
}

// Show the chosen value (or none) in the picker.
export function showPick(field, value, ctx) {
  const input = part(field, "input");
  field.ffValue = typeof value === "number" ? value : undefined;
  const label = value === undefined ? "" : ctx.refs[refKey(field.dataset.control, value)] || `#${value}`;
  input.value = label;
  field.ffLabel = label;
  const clear = own(field, '[data-action="clear-pick"]')[0];
  if (clear) clear.hidden = value === undefined;
}

function quote(text) {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

async function search(field, query) {
  const control = kindOf(field.dataset.control);
  const q = query.trim();
  if (control === "user") {
    const answer = await request("GET", `/api/users?limit=${LIMIT}&q=${encodeURIComponent(q)}`);
    if (!answer.ok) throw new Error(String(answer.status));
    return answer.data.items.map((user) => ({
      id: user.id,
      label: user.display_name,
      hint: user.username,
    }));
  }
  if (control === "department") {
    if (departments === null) {
      const answer = await request("GET", "/api/departments");
      if (!answer.ok) throw new Error(String(answer.status));
      departments = answer.data;
    }
    const wanted = q.toLowerCase();
    return departments
      .filter((d) => !wanted || d.name.toLowerCase().includes(wanted) || (d.code || "").toLowerCase().includes(wanted))
      .slice(0, LIMIT)
      .map((d) => ({ id: d.id, label: d.name, hint: d.code || "" }));
  }
  const form = encodeURIComponent(field.dataset.linkForm);
  const display = field.dataset.linkDisplay;
  const base = `/api/forms/${form}/records?limit=${LIMIT}&total=false`;
  let answer = null;
  if (q && display) {
    const filter = `contains(${display}, ${quote(q)})`;
    answer = await request("GET", `${base}&filter=${encodeURIComponent(filter)}`);
  }
  const filtered = answer?.ok;
  if (!filtered) answer = await request("GET", base);
  if (!answer.ok) throw new Error(String(answer.status));
  const wanted = q.toLowerCase();
  return answer.data.items
    .map((record) => ({ id: record.id, label: record.label || `#${record.id}`, hint: `#${record.id}` }))
    .filter((item) => filtered || !wanted || item.label.toLowerCase().includes(wanted));
}

export function initPicker(field, ctx) {
  const input = part(field, "input");
  const list = part(field, "listbox");
  const clear = own(field, '[data-action="clear-pick"]')[0];
  list.id = uid("lb");
  input.setAttribute("aria-controls", list.id);
  let options = [];
  let active = -1;
  let sequence = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const message = (text) => {
    list.replaceChildren();
    const item = document.createElement("li");
    item.className = "picker-message";
    item.setAttribute("role", "presentation");
    item.textContent = text;
    list.append(item);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const highlight = (index) => {
    const items = [...list.querySelectorAll('[role="option"]')];
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (items[index]) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    }
  };
  const multi = isMultiPicker(field.dataset.control);
  const choose = (option) => {
    ctx.refs[refKey(field.dataset.control, option.id)] = option.label;
    if (multi) {
      const values = field.ffValues || [];
      if (!values.includes(option.id)) showPicks(field, [...values, option.id], ctx);
      input.value = "";
    } else {
      showPick(field, option.id, ctx);
    }
    close();
    changed(field);
  };
  const render = (found, query) => {
    options = found;
    if (!found.length) {
      message(format(ctx.messages.no_matches, { q: query }));
      return;
    }
    list.replaceChildren();
    found.forEach((option, index) => {
      const item = document.createElement("li");
      item.id = `${list.id}-${index}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = option.label;
      item.append(name);
      if (option.hint) {
        const hint = document.createElement("span");
        hint.className = "muted";
        hint.textContent = ` ${option.hint}`;
        item.append(hint);
      }
      item.addEventListener("mousedown", (event) => event.preventDefault());
      item.addEventListener("click", () => choose(option));
      list.append(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const run = debounce(async () => {
    const mine = ++sequence;
    const query = input.value;
    try {
      const found = await search(field, query);
      if (mine === sequence && document.activeElement === input) render(found, query);
    } catch {
      if (mine === sequence) message(ctx.messages.search_failed);
    }
  }, 250);

  input.addEventListener("input", (event) => {
    event.stopPropagation(); // typing a search is not a value change; choosing one is
    if (!multi) field.ffValue = undefined;
    if (clear) clear.hidden = !input.value;
    message(ctx.messages.searching);
    run();
  });
  input.addEventListener("focus", () => {
    if (multi || field.ffValue === undefined) run();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        run();
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      const count = options.length;
      if (count) highlight((active + step + count) % count);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0 && options[active]) {
        event.preventDefault();
        choose(options[active]);
      }
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => {
    setTimeout(() => {
      close();
      if (multi) {
        input.value = "";
        return;
      }
      if (field.ffValue === undefined && input.value) {
        input.value = "";
        if (clear) clear.hidden = true;
        changed(field);
      }
    }, 150);
  });
  clear?.addEventListener("click", () => {
    showPick(field, undefined, ctx);
    changed(field);
    input.focus();
  });
}
