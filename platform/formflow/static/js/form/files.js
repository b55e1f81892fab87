// Attachments and images: upload with progress, size and type checks before sending, and
// the list of attached files (part of Formflow, MIT). The field's value is the list of
// attachment objects the API returned (`field.ffFiles`).

import { problemText, upload } from "../lib/api.js";
import { changed, format, part } from "./dom.js";

export function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function accepts(accept, file) {
  if (!accept.length) return true;
  const name = file.name.toLowerCase();
  return accept.some((rule) => {
    const pattern = rule.trim().toLowerCase();
    if (pattern.startsWith(".")) return name.endsWith(pattern);
    if (pattern.endsWith("/*")) return file.type.startsWith(pattern.slice(0, -1));
    return file.type === pattern;
  });
}

// Redraw the list of attached files.
export function showFiles(field, ctx) {
  const list = part(field, "files");
  const input = part(field, "input");
  list.querySelectorAll("li.attached").forEach((item) => item.remove());
  for (const file of field.ffFiles || []) {
    const item = document.createElement("li");
    item.className = "attached";
    if (String(file.content_type || "").startsWith("image/")) {
      const thumb = document.createElement("img");
      thumb.className = "thumb";
      thumb.alt = "";
      thumb.src = `/api/attachments/${encodeURIComponent(file.id)}?inline=1`;
      item.append(thumb);
    }
    const link = document.createElement("a");
    link.href = `/api/attachments/${encodeURIComponent(file.id)}`;
    link.textContent = file.name || `#${file.id}`;
    link.setAttribute("download", "");
    item.append(link);
    if (file.size !== undefined) {
      const size = document.createElement("span");
      size.className = "muted";
      size.textContent = ` ${sizeText(Number(file.size))}`;
      item.append(size);
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "iconbutton small danger";
    remove.textContent = "×";
    remove.setAttribute("aria-label", format(ctx.messages.remove_file, { name: file.name || file.id }));
    remove.addEventListener("click", () => {
      field.ffFiles = field.ffFiles.filter((other) => other !== file);
      showFiles(field, ctx);
      changed(field);
      input.focus();
    });
    item.append(remove);
    list.append(item);
  }
  const max = Number(field.dataset.maxFiles || 0);
  input.disabled = field.classList.contains("is-readonly") || (max > 0 && (field.ffFiles || []).length >= max);
}

function problem(list, text) {
  const item = document.createElement("li");
  item.className = "upload-problem";
  item.setAttribute("role", "alert");
  item.textContent = text;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "linkbutton small";
  dismiss.textContent = "×";
  dismiss.setAttribute("aria-label", "OK");
  dismiss.addEventListener("click", () => item.remove());
  item.append(" ", dismiss);
  list.append(item);
}

async function uploadOne(field, file, ctx) {
  const list = part(field, "files");
  const limit = Math.min(Number(field.dataset.maxSize || Infinity), ctx.maxUpload);
  const max = Number(field.dataset.maxFiles || 0);
  const input = part(field, "input");
  const accept = (input.accept || "").split(",").filter(Boolean);
  if (max > 0 && (field.ffFiles || []).length >= max) {
    problem(list, format(ctx.messages.too_many_files, { limit: max }));
    return;
  }
  if (file.size > limit) {
    problem(list, format(ctx.messages.too_large, { name: file.name, size: sizeText(file.size), limit: sizeText(limit) }));
    return;
  }
  if (!accepts(accept, file)) {
    problem(list, format(ctx.messages.wrong_type, { name: file.name, accept: accept.join(", ") }));
    return;
  }
  const item = document.createElement("li");
  item.className = "uploading";
  const label = document.createElement("span");
  label.textContent = format(ctx.messages.uploading, { name: file.name });
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute("aria-label", label.textContent);
  item.append(label, bar);
  list.append(item);
  try {
    const answer = await upload(file, file.name, (share) => {
      bar.value = share;
    });
    item.remove();
    if (!answer.ok) {
      problem(list, format(ctx.messages.upload_failed, { name: file.name, reason: problemText(answer) }));
      return;
    }
    field.ffFiles = [...(field.ffFiles || []), answer.data];
    showFiles(field, ctx);
    changed(field);
  } catch {
    item.remove();
    problem(list, format(ctx.messages.upload_failed, { name: file.name, reason: ctx.messages.offline }));
  }
}

export function initUploader(field, ctx) {
  const input = part(field, "input");
  field.ffFiles = field.ffFiles || [];
  input.addEventListener("change", async (event) => {
    event.stopPropagation(); // the value changes when an upload finishes, not now
    const chosen = [...input.files];
    input.value = "";
    for (const file of chosen) await uploadOne(field, file, ctx);
  });
}
