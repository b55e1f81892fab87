// Setting up each field's widget once it is in the page (part of Formflow, MIT).

import { assignIds, changed, own, part } from "./dom.js";
import { initPicker } from "./pickers.js";
import { initRegion } from "./regions.js";
import { initUploader } from "./files.js";
import { initSignature } from "./signature.js";
import { initTable } from "./subtable.js";

function initLocation(field, ctx) {
  const button = own(field, '[data-action="locate"]')[0];
  if (!button) return;
  button.addEventListener("click", () => {
    const status = part(field, "error");
    if (!navigator.geolocation) return;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        button.disabled = false;
        own(field, '[data-loc="lat"]')[0].value = position.coords.latitude.toFixed(6);
        own(field, '[data-loc="lng"]')[0].value = position.coords.longitude.toFixed(6);
        changed(field);
      },
      (error) => {
        button.disabled = false;
        status.hidden = false;
        status.textContent = ctx.messages.locate_failed.replace("{reason}", error.message);
      },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });
}

function initChoiceClear(field) {
  const clear = own(field, '[data-action="clear-choice"]')[0];
  clear?.addEventListener("click", () => {
    for (const radio of own(field, 'input[type="radio"]')) radio.checked = false;
    changed(field);
  });
}

function initSlider(field) {
  const input = part(field, "input");
  const shown = part(field, "slider-value");
  const update = () => {
    shown.textContent = input.value;
  };
  input.addEventListener("input", update);
  update();
}

export function initField(field, ctx) {
  assignIds(field);
  const control = field.dataset.control;
  if (["user", "department", "link", "users", "departments"].includes(control)) initPicker(field, ctx);
  else if (control === "files" || control === "images") initUploader(field, ctx);
  else if (control === "signature") initSignature(field, ctx);
  else if (control === "location") initLocation(field, ctx);
  else if (control === "region") initRegion(field, ctx);
  else if (control === "rating") initChoiceClear(field);
  else if (control === "slider") initSlider(field);
  else if (control === "table") initTable(field, ctx);
}
