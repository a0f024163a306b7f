// Form fields for a strategy's parameter schema ({ name: { type, default, min?, max?, values?, description? } }),
// each showing its range, and reading them back as typed values.
import { escapeHtml } from "./dom.js";

function rangeText(spec) {
  switch (spec.type) {
    case "int":
    case "number": {
      const kind = spec.type === "int" ? "integer" : "number";
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} in [${spec.min}, ${spec.max}]`;
      if (spec.min !== undefined) return `${kind} ≥ ${spec.min}`;
      if (spec.max !== undefined) return `${kind} ≤ ${spec.max}`;
      return kind;
    }
    case "enum":
      return `one of ${spec.values.join(", ")}`;
    case "boolean":
      return "true or false";
    default:
      return "text";
  }
}

/** The inputs of `schema`, named `param.NAME`, holding `values` (or the defaults). */
export function paramFields(schema, values = {}) {
  return Object.entries(schema ?? {}).map(([name, spec]) => {
    const value = values[name] ?? spec.default;
    const field = `param.${name}`;
    const title = escapeHtml(`${spec.description ?? name}: ${rangeText(spec)}`);
    let input;
    switch (spec.type) {
      case "int":
      case "number":
        input = `<input type="number" name="${field}" value="${escapeHtml(value)}" step="${
          spec.type === "int" ? 1 : "any"
        }"${spec.min !== undefined ? ` min="${spec.min}"` : ""}${spec.max !== undefined ? ` max="${spec.max}"` : ""}>`;
        break;
      case "boolean":
        return `<label class="check" title="${title}"><input type="checkbox" name="${field}"${
          value ? " checked" : ""
        }> ${escapeHtml(name)}</label>`;
      case "enum":
        input = `<select name="${field}">${
          spec.values.map((v) => `<option${v === value ? " selected" : ""}>${escapeHtml(v)}</option>`).join("")
        }</select>`;
        break;
      default:
        input = `<input name="${field}" value="${escapeHtml(value)}" maxlength="200">`;
    }
    return `<label title="${title}">${escapeHtml(name)} <span class="small">${
      escapeHtml(rangeText(spec))
    }</span>${input}</label>`;
  }).join("");
}

/** The `param.*` values of a form, typed by the schema. */
export function readParams(form, schema) {
  const params = {};
  for (const [name, spec] of Object.entries(schema ?? {})) {
    const el = form.elements.namedItem(`param.${name}`);
    if (!el) continue;
    if (spec.type === "boolean") params[name] = el.checked;
    else if (spec.type === "int" || spec.type === "number") {
      if (el.value !== "") params[name] = Number(el.value);
    } else params[name] = el.value;
  }
  return params;
}
