// Region fields (part of Formflow, MIT): province, city and district.
//
// The province is a select; city and district are text inputs that suggest the names of the
// chosen province's cities and the chosen city's districts from the platform's catalogue of
// China's administrative divisions (fetched once per page, cached by the browser). Free text
// stays allowed: divisions change every year, and the server refuses only a city that the
// catalogue places in another province. Choosing another province or city clears the levels
// below it when they do not belong there any more.

import { changed, own, uid } from "./dom.js";

let catalogue = null;

function load(url) {
  if (!catalogue) {
    catalogue = fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}));
  }
  return catalogue;
}

function suggestions(input) {
  if (!input.ffList) {
    const list = document.createElement("datalist");
    list.id = uid("region");
    input.after(list);
    input.setAttribute("list", list.id);
    input.ffList = list;
  }
  return input.ffList;
}

function offer(input, names) {
  const list = suggestions(input);
  const wanted = names.join("\n");
  if (list.dataset.names === wanted) return;
  list.dataset.names = wanted;
  list.replaceChildren(...names.map((name) => new Option(name, name)));
}

export function initRegion(field, ctx) {
  const [province, city, district] = own(field, "[data-region]");
  if (!city || !ctx.regionCatalogue) return;
  const tree = () => load(ctx.regionCatalogue);
  const citiesOf = (all) => all[province.value] ?? {};

  const refresh = async () => {
    const cities = citiesOf(await tree());
    offer(city, Object.keys(cities));
    if (district) offer(district, cities[city.value.trim()] ?? []);
  };
  // Names below a changed level are cleared when the catalogue says they no longer fit.
  province.addEventListener("change", async () => {
    const cities = citiesOf(await tree());
    const known = Object.keys(cities);
    if (known.length && city.value.trim() && !known.includes(city.value.trim())) {
      city.value = "";
      if (district) district.value = "";
      changed(field);
    }
    refresh();
  });
  city.addEventListener("change", async () => {
    const names = citiesOf(await tree())[city.value.trim()];
    if (district && names && district.value.trim() && !names.includes(district.value.trim())) {
      district.value = "";
      changed(field);
    }
    refresh();
  });
  city.addEventListener("focus", refresh);
  district?.addEventListener("focus", refresh);
  refresh();
}
