// The form page (part of Formflow, MIT): fill in a record, with the server as the one judge
// of the rules. While the user types, the values go to POST /api/forms/{key}/validate
// (debounced); its answer decides what is visible, required and read-only, fills computed
// fields and lists problems. Saving posts the record (or patches the draft); a refused save
// shows the problems and keeps every value in the page.

import { problemText, request } from "./lib/api.js";
import { parse } from "./lib/exactjson.js";
import { debounce, format, part } from "./form/dom.js";
import { applyErrors, applyUi, fillSummary, indexPaths } from "./form/rules.js";
import { collect, fill, fillComputed } from "./form/values.js";
import { initField } from "./form/widgets.js";

const form = document.getElementById("record-form");
const config = parse(document.getElementById("form-config").textContent);
const summary = document.getElementById("error-summary");
const status = document.getElementById("form-status");
const ctx = {
  messages: config.messages,
  refs: config.refs || {},
  timezone: config.timezone,
  maxUpload: config.maxUpload,
  regionCatalogue: config.regionCatalogue,
};
const state = {
  mode: config.mode,
  record: config.record,
  version: config.version,
  showAll: false,
  busy: false,
  dirty: false,
  sequence: 0,
  controller: null,
  errors: [],
};

function say(text, kind = "") {
  status.textContent = text;
  status.className = `form-status ${kind}`;
}

function userFields() {
  return [...form.querySelectorAll(".field[data-field]")].filter(
    (field) => field.parentElement.closest("[data-scope]") === form && field.dataset.control !== "output",
  );
}

function show(errors) {
  state.errors = errors;
  const index = indexPaths(form);
  const problems = applyErrors(index, errors, (field) => state.showAll || field.dataset.touched === "1");
  if (state.showAll) fillSummary(summary, problems, ctx.messages);
  return problems;
}

async function validate() {
  const mine = ++state.sequence;
  state.controller?.abort();
  state.controller = new AbortController();
  const data = collect(form, ctx);
  try {
    const answer = await request("POST", `/api/forms/${encodeURIComponent(config.form)}/validate`, { data, draft: false }, { signal: state.controller.signal });
    if (mine !== state.sequence || !answer.ok) return;
    const index = indexPaths(form);
    applyUi(form, index, answer.data.ui);
    fillComputed(form, answer.data.data, ctx);
    show(answer.data.errors || []);
  } catch (error) {
    if (error.name !== "AbortError" && mine === state.sequence) say(ctx.messages.offline, "warning");
  }
}
const validateSoon = debounce(validate, 400);

function touched(event) {
  const field = event.target.closest?.(".field[data-field]");
  if (!field) return;
  for (let f = field; f; f = f.parentElement?.closest(".field[data-field]")) f.dataset.touched = "1";
  state.dirty = true;
  validateSoon();
}

function setBusy(busy) {
  state.busy = busy;
  for (const button of form.querySelectorAll(".form-actions button")) button.disabled = busy;
  form.setAttribute("aria-busy", String(busy));
}

// The draft's patch: every top-level field, null for the emptied ones (a merge patch).
function patchOf(data) {
  const patch = {};
  for (const field of userFields()) patch[field.dataset.field] = data[field.dataset.field] ?? null;
  return patch;
}

function refused(answer) {
  if (answer.status === 422 && Array.isArray(answer.data?.errors)) {
    state.showAll = true;
    const problems = show(answer.data.errors);
    if (!problems.listed.length && !problems.loose.length) say(problemText(answer), "error");
    else say("", "");
    summary.focus();
    return;
  }
  if (answer.status === 409) say(ctx.messages.stale, "error");
  else say(format(ctx.messages.save_failed, { reason: problemText(answer) }), "error");
}

async function save({ draft }) {
  if (state.busy) return;
  validateSoon.cancel();
  state.controller?.abort();
  setBusy(true);
  say(draft ? ctx.messages.saving : ctx.messages.submitting);
  const data = collect(form, ctx);
  try {
    let answer;
    if (state.mode === "new") {
      answer = await request("POST", `/api/forms/${encodeURIComponent(config.form)}/records`, { data, draft });
    } else {
      answer = await request("PATCH", `/api/records/${state.record}`, { data: patchOf(data), version: state.version, submit: !draft });
    }
    if (!answer.ok) {
      refused(answer);
      return;
    }
    state.dirty = false;
    if (!draft) {
      window.location.assign(`/records/${answer.data.id}?submitted=1`);
      return;
    }
    state.mode = "edit";
    state.record = answer.data.id;
    state.version = answer.data.version;
    window.history.replaceState(null, "", `/records/${state.record}/edit`);
    const time = new Date().toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
    say(format(ctx.messages.draft_saved, { time }), "success");
  } catch (error) {
    say(error.offline ? ctx.messages.offline : format(ctx.messages.save_failed, { reason: error.message }), "error");
  } finally {
    setBusy(false);
  }
}

function start() {
  for (const field of form.querySelectorAll(".field[data-field]")) {
    if (!field.closest("[data-row]")) initField(field, ctx);
  }
  fill(form, config.data || {}, ctx);
  form.addEventListener("input", touched);
  form.addEventListener("change", touched);
  form.addEventListener("ff-change", touched);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save({ draft: false });
  });
  form.querySelector('[data-action="save-draft"]').addEventListener("click", () => save({ draft: true }));
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });
  validate();
}

start();
