// Signature pad: draw with a finger, pen or mouse; each finished signature is uploaded as a
// PNG and becomes the field's value (`field.ffFile`) (part of Formflow, MIT).

import { problemText, upload } from "../lib/api.js";
import { changed, debounce, format, part } from "./dom.js";

export function showSignature(field, ctx) {
  const canvas = part(field, "canvas");
  const image = part(field, "signature-image");
  const button = part(field, "input");
  if (field.ffFile) {
    image.src = `/api/attachments/${encodeURIComponent(field.ffFile.id)}?inline=1`;
    image.hidden = false;
    canvas.hidden = true;
    button.textContent = ctx.messages.sign_again;
  } else {
    image.hidden = true;
    image.removeAttribute("src");
    canvas.hidden = false;
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    button.textContent = ctx.messages.clear;
  }
}

export function initSignature(field, ctx) {
  const canvas = part(field, "canvas");
  const status = part(field, "signature-status");
  const button = part(field, "input");
  const pen = canvas.getContext("2d");
  pen.lineWidth = 2.5;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.strokeStyle = "#111";
  let drawing = false;
  let drawn = false;
  status.textContent = ctx.messages.signature_hint;

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width, ((event.clientY - box.top) * canvas.height) / box.height];
  };
  const save = debounce(() => {
    canvas.toBlob(async (blob) => {
      if (!blob) return;
      status.textContent = ctx.messages.saving;
      try {
        const answer = await upload(blob, "signature.png", () => {});
        if (!answer.ok) {
          status.textContent = format(ctx.messages.upload_failed, { name: "signature.png", reason: problemText(answer) });
          return;
        }
        field.ffFile = answer.data;
        status.textContent = ctx.messages.signature_saved;
        changed(field);
      } catch {
        status.textContent = ctx.messages.offline;
      }
    }, "image/png");
  }, 700);

  canvas.addEventListener("pointerdown", (event) => {
    if (field.classList.contains("is-readonly")) return;
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    pen.beginPath();
    pen.moveTo(...point(event));
    save.cancel();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...point(event));
    pen.stroke();
    drawn = true;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    if (drawn) save();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  button.addEventListener("click", () => {
    save.cancel();
    drawn = false;
    field.ffFile = undefined;
    showSignature(field, ctx);
    status.textContent = ctx.messages.signature_hint;
    changed(field);
  });
}
