// Exact JSON for Formflow's pages (part of Formflow, MIT).
//
// JSON.parse turns every number into a binary float, so 0.1 + 0.2 money would drift and a
// long decimal would lose digits. Here a number that is not a safe integer is kept as a
// `Dec` holding its exact text, and `stringify` writes a `Dec` back verbatim. Ids, versions
// and counts stay plain integers.

export class Dec {
  constructor(text) {
    this.text = String(text);
  }
  toString() {
    return this.text;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parse(text) {
  let at = 0;
  const fail = () => {
    throw new SyntaxError(`Invalid JSON at position ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at += 1;
  };
  const string = () => {
    let out = "";
    at += 1; // opening quote
    while (at < text.length) {
      const ch = text[at];
      if (ch === '"') {
        at += 1;
        return out;
      }
      if (ch === "\\") {
        const esc = text[at + 1];
        if (esc === "u") {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
          continue;
        }
        out += { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[esc] ?? fail();
        at += 2;
        continue;
      }
      out += ch;
      at += 1;
    }
    return fail();
  };
  const value = () => {
    space();
    const ch = text[at];
    if (ch === "{") {
      at += 1;
      const obj = {};
      space();
      if (text[at] === "}") {
        at += 1;
        return obj;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        const key = string();
        space();
        if (text[at] !== ":") fail();
        at += 1;
        obj[key] = value();
        space();
        if (text[at] === ",") {
          at += 1;
          continue;
        }
        if (text[at] === "}") {
          at += 1;
          return obj;
        }
        fail();
      }
    }
    if (ch === "[") {
      at += 1;
      const list = [];
      space();
      if (text[at] === "]") {
        at += 1;
        return list;
      }
      for (;;) {
        list.push(value());
        space();
        if (text[at] === ",") {
          at += 1;
          continue;
        }
        if (text[at] === "]") {
          at += 1;
          return list;
        }
        fail();
      }
    }
    if (ch === '"') return string();
    if (text.startsWith("true", at)) {
      at += 4;
      return true;
    }
    if (text.startsWith("false", at)) {
      at += 5;
      return false;
    }
    if (text.startsWith("null", at)) {
      at += 4;
      return null;
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) fail();
    at += match[0].length;
    const literal = match[0];
    if (/^-?\d+$/.test(literal) && Number.isSafeInteger(Number(literal))) return Number(literal);
    return new Dec(literal);
  };
  const result = value();
  space();
  if (at !== text.length) fail();
  return result;
}

export function stringify(value) {
  if (value instanceof Dec) return value.text;
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "null";
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stringify(item)).join(",")}]`;
  const parts = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${stringify(item)}`);
  }
  return `{${parts.join(",")}}`;
}
