/**
 * Go's float64 text forms (`strconv.FormatFloat` with verbs e, f, g): `%v` of 1234567.5 is
 * `1.2345675e+06`, of 0.00001 is `1e-05`; fixed precision rounds half to even on the exact binary value.
 */

/** A positive decimal: 0.d1d2d3… × 10^dp, with no trailing zeros (`digits` is empty for zero). */
interface Decimal {
  digits: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal value of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    dp = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    dp = digits.length + exponent;
  }
  return trim({ digits, dp });
}

/** The shortest digits that read back as the same double, as Go's and JavaScript's shortest forms agree. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mantissa = '0', exponent = '0'] = x.toExponential().split('e');
  return trim({ digits: mantissa.replace('.', ''), dp: Number(exponent) + 1 });
}

function trim(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, '');
  return digits === '' ? { digits: '', dp: 0 } : { digits, dp: d.dp };
}

/** Rounds to `nd` significant digits, half to even, as Go's decimal rounding. */
function round(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return nd < 0 ? { digits: '', dp: 0 } : d;
  const next = d.digits.charCodeAt(nd) - 48;
  const up = next > 5 || (next === 5 && (nd + 1 < d.digits.length || (nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1)));
  if (!up) return trim({ digits: d.digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  while (i >= 0 && d.digits[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  return trim({ digits: d.digits.slice(0, i) + String(d.digits.charCodeAt(i) - 47), dp: d.dp });
}

function formatE(d: Decimal, prec: number, letter: string): string {
  let out = d.digits[0] ?? '0';
  if (prec > 0) out += `.${d.digits.slice(1, prec + 1).padEnd(prec, '0')}`;
  let exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${letter}${sign}${String(exp).padStart(2, '0')}`;
}

function formatF(d: Decimal, prec: number): string {
  let out = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
  }
  return out;
}

export type FloatVerb = 'e' | 'E' | 'f' | 'F' | 'g' | 'G';

/** `strconv.FormatFloat(x, verb, prec, 64)`; `prec < 0` means the shortest exact form. */
export function formatFloat(x: number, verb: FloatVerb, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let d = shortest ? shortestDecimal(abs) : exactDecimal(abs);
  const nd = (): number => d.digits.length;
  switch (verb) {
    case 'e':
    case 'E':
      if (shortest) prec = Math.max(nd() - 1, 0);
      else d = round(d, prec + 1);
      return sign + formatE(d, prec, verb);
    case 'f':
    case 'F':
      if (shortest) prec = Math.max(nd() - d.dp, 0);
      else d = round(d, d.dp + prec);
      return sign + formatF(d, prec);
    default: {
      if (shortest) {
        prec = nd();
      } else {
        if (prec === 0) prec = 1;
        d = round(d, prec);
      }
      let eprec = prec;
      if (eprec > nd() && nd() >= d.dp) eprec = nd();
      // Go's shortest %g (and so %v) switches to an exponent from 1e+06 on.
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd()) prec = nd();
        return sign + formatE(d, prec - 1, verb === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = nd();
      return sign + formatF(d, Math.max(prec - d.dp, 0));
    }
  }
}
