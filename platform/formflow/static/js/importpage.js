// The import page (part of Formflow, MIT): upload the spreadsheet with a progress bar, then run
// the dry run and the commit while showing how far they are. The server answers both with
// lines of JSON (progress, then the outcome); the report it renders is inserted as it comes.
// Without this script the page still works: its forms post and the server answers with pages.

import { problemText, upload } from "./lib/api.js";
import { format } from "./form/dom.js";

const form = document.getElementById("import-form");
const messages = JSON.parse(document.getElementById("import-config").textContent);
const progress = document.getElementById("import-progress");
const bar = document.getElementById("import-bar");
const barLabel = document.getElementById("import-bar-label");
const status = document.getElementById("import-status");
const report = document.getElementById("import-report");
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

function say(text, kind = "") {
  status.textContent = text;
  status.className = `form-status ${kind}`;
}

function show(label, fraction) {
  progress.hidden = false;
  barLabel.textContent = label;
  bar.value = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
}

function busy(on) {
  for (const button of document.querySelectorAll("#import-form button, #commit-form button")) button.disabled = on;
  document.querySelector("main").setAttribute("aria-busy", String(on));
}

// POST `fields` to `url` and read the answer line by line: {phase, done, total} for progress,
// then the outcome.
async function run(url, fields) {
  const body = new FormData();
  body.append("csrf_token", csrf());
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/x-ndjson", "X-CSRF-Token": csrf(), "Accept-Language": document.documentElement.lang },
  });
  if (!response.ok || !(response.headers.get("Content-Type") || "").includes("ndjson")) {
    const text = await response.text();
    let reason = `HTTP ${response.status}`;
    try {
      reason = problemText({ status: response.status, data: JSON.parse(text) });
    } catch {
      // An error page: its explanation is the paragraph under the heading.
      const page = new DOMParser().parseFromString(text, "text/html");
      reason = page.querySelector(".error-page h1 + p")?.textContent?.trim() || reason;
    }
    return { result: "error", message: reason };
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let outcome = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, cut).trim();
      buffered = buffered.slice(cut + 1);
      if (!line) continue;
      const item = JSON.parse(line);
      if (item.phase) {
        const total = item.total || 1;
        show(format(messages[item.phase], { done: item.done, total: item.total }), item.done / total);
      } else outcome = item;
    }
    if (done) break;
  }
  return outcome || { result: "error", message: messages.offline };
}

function finish(outcome) {
  if (outcome.result === "error") {
    say(format(messages.failed, { reason: outcome.message }), "error");
    progress.hidden = true;
    return;
  }
  if (outcome.created && outcome.url) {
    show(format(messages.save, { done: outcome.created, total: outcome.created }), 1);
    window.location.assign(outcome.url);
    return;
  }
  progress.hidden = true;
  say("");
  report.innerHTML = outcome.html; // rendered (and escaped) by the server's template
  report.focus();
  const commit = document.getElementById("commit-form");
  commit?.addEventListener("submit", onCommit);
}

async function onCommit(event) {
  event.preventDefault();
  const upload = event.target.querySelector('[name="upload"]').value;
  busy(true);
  try {
    finish(await run(`/forms/${encodeURIComponent(form.dataset.form)}/import/commit`, { upload }));
  } catch {
    say(messages.offline, "error");
  } finally {
    busy(false);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("import-file").files[0];
  if (!file) {
    say(messages.choose, "error");
    return;
  }
  busy(true);
  report.replaceChildren();
  say("");
  try {
    show(format(messages.uploading, { name: file.name }), 0);
    const answer = await upload(file, file.name, (fraction) => show(format(messages.uploading, { name: file.name }), fraction));
    if (!answer.ok) {
      say(format(messages.failed, { reason: problemText(answer) }), "error");
      progress.hidden = true;
      return;
    }
    finish(await run(`/forms/${encodeURIComponent(form.dataset.form)}/import/check`, { upload: answer.data.id }));
  } catch {
    say(messages.offline, "error");
    progress.hidden = true;
  } finally {
    busy(false);
  }
});

document.getElementById("commit-form")?.addEventListener("submit", onCommit);
