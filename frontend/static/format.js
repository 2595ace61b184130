// Cell formats of CONTRACTS.md §4. Numbers round exactly like Python's format(x, ".Nf")
// (round-half-even on the exact binary value), so a scenario that formats API values in Python
// gets the same text as the page, even on exact ties such as 0.125.

export const MISSING = "—";

function isNumber(x) {
  return typeof x === "number" && Number.isFinite(x);
}

export function fixed(x, digits) {
  if (!isNumber(x)) return MISSING;
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let text = abs.toFixed(digits);
  // toFixed rounds exact ties up; Python rounds them to even.
  const exact = abs.toFixed(digits + 25);
  const [intPart, fracPart] = exact.split(".");
  const tail = fracPart.slice(digits);
  if (/^50*$/.test(tail)) {
    const kept = digits > 0 ? `${intPart}.${fracPart.slice(0, digits)}` : intPart;
    const lastDigit = Number(kept[kept.length - 1]);
    if (lastDigit % 2 === 0) text = kept;
  }
  return negative ? `-${text}` : text;
}

export function price(x) {
  return fixed(x, 2);
}

const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function integer(x) {
  return isNumber(x) ? intFormat.format(x) : MISSING;
}

export function percent(fraction) {
  return isNumber(fraction) ? `${fixed(fraction * 100, 1)}%` : MISSING;
}

export function delta(x) {
  return fixed(x, 3);
}

// P&L: like Python's f"{x:+,.2f}": two decimals, thousands separators, always a sign.
export function pnl(x) {
  if (!isNumber(x)) return MISSING;
  const text = fixed(x, 2);
  const negative = text.startsWith("-");
  const [intPart, frac] = (negative ? text.slice(1) : text).split(".");
  return `${negative ? "-" : "+"}${intFormat.format(Number(intPart))}.${frac}`;
}
