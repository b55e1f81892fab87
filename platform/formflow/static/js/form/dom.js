// Finding things in the form page's markup (part of Formflow, MIT).
//
// A field is `.field[data-field][data-control]`; its pieces carry `data-part`. A scope
// (`[data-scope]`: the form, or one sub-table row) holds fields; a field belongs to the
// nearest scope above it, so rows of sub-tables nest without confusion.

let counter = 0;

export function uid(prefix = "fx") {
  counter += 1;
  return `${prefix}${counter}`;
}

// The field elements directly in `scope` (not those inside a nested row).
export function fieldsOf(scope) {
  return [...scope.querySelectorAll(".field[data-field]")].filter(
    (field) => field.parentElement.closest("[data-scope]") === scope,
  );
}

// The first element of `field` marked data-part=`name` that belongs to this field itself.
export function part(field, name) {
  for (const element of field.querySelectorAll(`[data-part="${name}"]`)) {
    if (element.closest(".field") === field) return element;
  }
  return null;
}

// Elements of `field` matching `selector` that belong to this field (not to nested fields).
export function own(field, selector) {
  return [...field.querySelectorAll(selector)].filter((element) => element.closest(".field") === field);
}

// "{name} is {size}" with params -> text. Values are inserted as text, never as markup.
export function format(template, params = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, key) =>
    Object.hasOwn(params, key) ? String(params[key]) : whole,
  );
}

export function debounce(fn, wait) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

// Give a field inside a row ids for its input, label, help and error, and names for its
// radio buttons; top-level fields got theirs from the server.
export function assignIds(field) {
  const input = part(field, "input");
  const label = part(field, "label");
  const help = part(field, "help");
  const error = part(field, "error");
  if (!input || input.id) return;
  const base = uid();
  input.id = base;
  if (label) {
    label.id = `${base}-label`;
    if (label.tagName === "LABEL") label.htmlFor = base;
  }
  if (help) help.id = `${base}-help`;
  if (error) error.id = `${base}-error`;
  for (const group of own(field, '[role="radiogroup"], [role="group"], canvas, input[type="file"], output')) {
    if (label) group.setAttribute("aria-labelledby", label.id);
  }
  for (const radio of own(field, 'input[type="radio"]')) radio.name = base;
  if (help) input.setAttribute("aria-describedby", help.id);
}

// Tell the page a field's value changed (widgets that keep their value outside inputs).
export function changed(field) {
  field.dispatchEvent(new CustomEvent("ff-change", { bubbles: true }));
}
