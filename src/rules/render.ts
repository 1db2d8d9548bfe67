const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const INFIX = new Set(['==', '===', '!=', '!==', '>', '>=', '<', '<=', '+', '-', '*', '/', '%', 'in']);
const LONG_LIST = 6;

/** A JSON value for humans: long arrays are cut, so one rule stays on one line in explain output. */
export function showValue(v: unknown, max = 80): string {
  const text =
    Array.isArray(v) && v.length > LONG_LIST
      ? `[${v
          .slice(0, LONG_LIST - 1)
          .map((x) => JSON.stringify(x))
          .join(', ')}, … +${v.length - LONG_LIST + 1}]`
      : (JSON.stringify(v) ?? 'undefined');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Rendered {
  text: string;
  compound: boolean;
}

function r(expr: unknown): Rendered {
  if (Array.isArray(expr)) {
    const items = expr.length > LONG_LIST ? [...expr.slice(0, LONG_LIST - 1).map((e) => r(e).text), `… +${expr.length - LONG_LIST + 1}`] : expr.map((e) => r(e).text);
    return { text: `[${items.join(', ')}]`, compound: false };
  }
  if (!isObj(expr) || Object.keys(expr).length !== 1) return { text: JSON.stringify(expr) ?? 'undefined', compound: false };
  const op = Object.keys(expr)[0]!;
  const raw = expr[op];
  const args = Array.isArray(raw) ? raw : [raw];
  const part = (e: unknown) => {
    const x = r(e);
    return x.compound ? `(${x.text})` : x.text;
  };
  if (op === 'var') {
    const path = args[0] === undefined || args[0] === '' || args[0] === null ? '<data>' : String(args[0]);
    return { text: args.length > 1 ? `${path} ?? ${part(args[1])}` : path, compound: false };
  }
  if (op === 'and' || op === 'or') return { text: args.map(part).join(` ${op} `), compound: true };
  if (op === '!') return { text: `not ${part(args[0])}`, compound: false };
  if ((op === '<' || op === '<=') && args.length === 3) return { text: `${part(args[0])} ${op} ${part(args[1])} ${op} ${part(args[2])}`, compound: true };
  if (INFIX.has(op) && args.length === 2) return { text: `${part(args[0])} ${op} ${part(args[1])}`, compound: true };
  return { text: `${op}(${args.map((a) => r(a).text).join(', ')})`, compound: false };
}

/** A condition in compact infix form, e.g. `icp.tier == "A" and lead.region in ["emea"]`. */
export function renderCondition(expr: unknown): string {
  return r(expr).text;
}
