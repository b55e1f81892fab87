// The REST API as the pages use it: the session cookie plus the CSRF header, the page's
// language, exact JSON both ways (part of Formflow, MIT).

import { parse, stringify } from "./exactjson.js";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const language = () => document.documentElement.lang || "en";

// -> {status, ok, data}; data is the parsed JSON (or problem document) or null.
// A network failure rejects with an Error whose `offline` is true.
export async function request(method, url, body, { signal } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": language() };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    const offline = new Error("offline");
    offline.offline = true;
    throw offline;
  }
  const text = await response.text();
  let data = null;
  if (text && /json/.test(response.headers.get("Content-Type") || "")) {
    try {
      data = parse(text);
    } catch {
      data = null;
    }
  }
  return { status: response.status, ok: response.ok, data };
}

// Upload one file to POST /api/attachments, reporting progress (0..1).
// Resolves {status, ok, data} like `request`.
export function upload(file, name, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/attachments");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Accept-Language", language());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try {
        data = parse(xhr.responseText);
      } catch {
        data = null;
      }
      resolve({ status: xhr.status, ok: xhr.status >= 200 && xhr.status < 300, data });
    });
    xhr.addEventListener("error", () => {
      const offline = new Error("offline");
      offline.offline = true;
      reject(offline);
    });
    const form = new FormData();
    form.append("file", file, name);
    xhr.send(form);
  });
}

// The human message of a failed answer (problem+json `detail`, else the status).
export function problemText(answer) {
  return answer?.data?.detail || answer?.data?.title || `HTTP ${answer?.status ?? "?"}`;
}
