// Exact decimal arithmetic on number texts, for money (part of Formflow, MIT).
// Values are strings like "-12.345"; BigInt does the work, so nothing passes through floats.

import { Dec } from "./exactjson.js";

const PLAIN = /^-?\d+(?:\.\d+)?$/;

// What the user typed, as a canonical number text, or null when it is not a plain number.
// Spaces, thousands separators and full-width digits are accepted: "１,234.50" -> "1234.50".
export function normalize(typed) {
  if (typed === null || typed === undefined) return null;
  let text = String(typed)
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/\uFF0E/g, ".")
    .replace(/[\s,\u00A0\u202F\uFF0C']/g, "")
    .replace(/^\+/, "")
    .replace(/^\u2212/, "-");
  if (text.startsWith(".")) text = `0${text}`;
  if (text.startsWith("-.")) text = `-0${text.slice(1)}`;
  if (text.endsWith(".")) text = text.slice(0, -1);
  return PLAIN.test(text) ? text : null;
}

function split(text) {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const [whole, fraction = ""] = body.split(".");
  return { digits: BigInt(whole + fraction) * (negative ? -1n : 1n), scale: fraction.length };
}

function join(digits, scale) {
  const negative = digits < 0n;
  let body = (negative ? -digits : digits).toString();
  if (scale > 0) {
    body = body.padStart(scale + 1, "0");
    body = `${body.slice(0, -scale)}.${body.slice(-scale)}`;
  }
  return (negative ? "-" : "") + body;
}

// a + b, exactly, with the larger of the two scales.
export function add(a, b) {
  const x = split(String(a));
  const y = split(String(b));
  const scale = Math.max(x.scale, y.scale);
  const sum = x.digits * 10n ** BigInt(scale - x.scale) + y.digits * 10n ** BigInt(scale - y.scale);
  return join(sum, scale);
}

// Move the decimal point: shift("12.5", -2) = "0.125" (percent to fraction) and back.
export function shift(text, places) {
  const { digits, scale } = split(String(text));
  const newScale = scale - places;
  if (newScale >= 0) return trimZeros(join(digits, newScale));
  return join(digits * 10n ** BigInt(-newScale), 0);
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") || "0" : text;
}

// Show a number text with at least `scale` decimals (more digits are kept, never rounded).
export function withScale(text, scale) {
  if (scale === null || scale === undefined || Number.isNaN(scale)) return String(text);
  const [whole, fraction = ""] = String(text).split(".");
  if (fraction.length >= scale) return String(text);
  const padded = fraction.padEnd(scale, "0");
  return scale > 0 ? `${whole}.${padded}` : whole;
}

// Group thousands for display ("1234567.5" -> "1,234,567.5").
export function group(text) {
  const [whole, fraction] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + grouped + (fraction !== undefined ? `.${fraction}` : "");
}

// A value from the server (number, Dec or text) as a number text, or null.
export function textOf(value) {
  if (value instanceof Dec) return value.text;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return normalize(value);
  return null;
}
