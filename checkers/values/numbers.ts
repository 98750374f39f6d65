import { Decimal } from './types.js';

/** A decimal literal: optional sign, digits, optional fraction, optional exponent (JSON's and EDN's grammar). */
const LITERAL = /^([-+]?)(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;
/**
 * Integers with more digits than this stay Decimal instead of becoming a bigint: `1e1000000000` must not make a
 * billion-digit number. The form depends on the value alone, so equal values still compare equal.
 */
const MAX_BIGINT_DIGITS = 4096;

/** A literal's value as sign, significant digits (no leading or trailing zeros) and exponent: ±digits × 10^exp. */
interface Normal {
  negative: boolean;
  digits: string;
  exp: number;
}

function normalise(lit: string): Normal | undefined {
  const m = LITERAL.exec(lit);
  if (!m) return undefined;
  const frac = m[3] ?? '';
  let digits = (m[2] + frac).replace(/^0+/, '');
  const e = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(e)) return undefined;
  let exp = e - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === '') return { negative: false, digits: '', exp: 0 };
  return { negative: m[1] === '-', digits, exp };
}

const keyOf = (n: Normal) => (n.digits === '' ? '0' : `${n.negative ? '-' : ''}${n.digits}e${n.exp}`);

/**
 * A JSON number literal exactly as written: a number when a double holds it exactly (every integer up to 2^53, and
 * every decimal whose shortest double rendering is the same decimal, as `0.1`), a bigint for a larger integer
 * (`1e400` is an integer), and a Decimal for the rest (`1e-400`, `0.10000000000000000001`). JSON has one number
 * type, so `1` and `1.0` are the same value. Undefined when `lit` is not a number literal.
 */
export function exactNumber(lit: string): number | bigint | Decimal | undefined {
  const n = normalise(lit);
  if (!n) return undefined;
  if (n.digits === '') return 0;
  if (n.exp >= 0) {
    const length = n.digits.length + n.exp;
    if (length <= 15) return Number(lit);
    if (length > MAX_BIGINT_DIGITS) return decimal(n, false);
    const big = BigInt(n.digits) * 10n ** BigInt(n.exp);
    const signed = n.negative ? -big : big;
    return signed >= -MAX_SAFE && signed <= MAX_SAFE ? Number(signed) : signed;
  }
  const d = Number(lit);
  if (Number.isFinite(d) && d !== 0) {
    const back = normalise(String(d).replace('e+', 'e'));
    if (back && back.digits === n.digits && back.exp === n.exp) return d;
  }
  return decimal(n, false);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An EDN BigDecimal literal without its `M` (`1.50` of `1.50M`); undefined when not a number. */
export function bigDecimal(lit: string): Decimal | undefined {
  const n = normalise(lit);
  return n ? decimal(n, true) : undefined;
}

/** The Decimal whose key (see valueKey) is `key`: `-123e-5`. */
export function decimalFromKey(key: string, bigDecimal: boolean): Decimal {
  const m = /^(-?)(\d+)e(-?\d+)$/.exec(key);
  return m ? decimal({ negative: m[1] === '-', digits: m[2], exp: Number(m[3]) }, bigDecimal) : new Decimal('0', '0', bigDecimal);
}

function decimal(n: Normal, bigDecimal: boolean): Decimal {
  return new Decimal(keyOf(n), render(n), bigDecimal);
}

/** Plain notation when it is short (`0.0001`, `12.5`), scientific otherwise (`1e-400`, `1.2345e+30`). */
function render(n: Normal): string {
  if (n.digits === '') return '0';
  const sign = n.negative ? '-' : '';
  const point = n.digits.length + n.exp; // digits before the decimal point
  if (n.exp >= 0 && point <= 21) return sign + n.digits + '0'.repeat(n.exp);
  if (n.exp < 0 && point > 0) return `${sign}${n.digits.slice(0, point)}.${n.digits.slice(point)}`;
  if (n.exp < 0 && point > -6) return `${sign}0.${'0'.repeat(-point)}${n.digits}`;
  const mantissa = n.digits.length === 1 ? n.digits : `${n.digits[0]}.${n.digits.slice(1)}`;
  const e = point - 1;
  return `${sign}${mantissa}e${e >= 0 ? '+' : ''}${e}`;
}

/** A bigint or an integral number, as a bigint when beyond 2^53 and a number otherwise (one form per value). */
export function normaliseInteger(v: bigint): number | bigint {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}
