// A small evaluator of CloudWatch metric math for the fake: numbers, query ids, + - * /,
// comparisons, AND/OR, and the functions the app and the stack's alarms use — FILL, PERIOD, IF
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
// Series are maps of timestamp → value; an operation between two series keeps the timestamps both
// have, between a series and a number every timestamp of the series, as CloudWatch does.

import { AwsFault } from './wire.js';

export type Series = Map<number, number>;
type Value = number | Series;

type Token = { kind: 'num'; value: number } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/(),<>]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new AwsFault('ValidationError', `Error in expression: unexpected "${text.slice(at, at + 10)}".`);
    if (m[1] !== undefined) out.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ kind: 'id', value: m[2] });
    else out.push({ kind: 'op', value: m[3]! });
    at = re.lastIndex;
  }
  return out;
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  const out: Series = new Map();
  if (typeof a === 'number') for (const [t, v] of b as Series) out.set(t, f(a, v));
  else if (typeof b === 'number') for (const [t, v] of a) out.set(t, f(v, b));
  else for (const [t, v] of a) if (b.has(t)) out.set(t, f(v, b.get(t)!));
  return out;
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
  '>': (x, y) => Number(x > y),
  '<': (x, y) => Number(x < y),
  '>=': (x, y) => Number(x >= y),
  '<=': (x, y) => Number(x <= y),
  '==': (x, y) => Number(x === y),
  '!=': (x, y) => Number(x !== y),
  AND: (x, y) => Number(x !== 0 && y !== 0),
  OR: (x, y) => Number(x !== 0 || y !== 0),
};

/**
 * Evaluates `expression` with `series` (query id → its values) over `timestamps`. PERIOD(x) is the
 * period of x's query (`periods`), else `period` (seconds).
 */
export function evaluateMetricMath(expression: string, series: ReadonlyMap<string, Series>, timestamps: readonly number[], period: number, periods: ReadonlyMap<string, number> = new Map()): Series {
  const periodOf = new WeakMap<Series, number>();
  for (const [id, s] of series) periodOf.set(s, periods.get(id) ?? period);
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const take = (op?: string) => {
    const t = tokens[i];
    if (op && (t?.kind !== 'op' || t.value !== op)) throw new AwsFault('ValidationError', `Error in expression ${expression}: expected "${op}".`);
    i += 1;
    return t;
  };
  const isWord = (w: string) => {
    const t = peek();
    return t?.kind === 'id' && t.value.toUpperCase() === w;
  };
  const binaryLevel = (next: () => Value, ops: string[], words: string[] = []) => (): Value => {
    let left = next();
    for (;;) {
      const t = peek();
      const op = t?.kind === 'op' && ops.includes(t.value) ? t.value : words.find((w) => isWord(w));
      if (!op) return left;
      take();
      left = combine(left, next(), BINARY[op]!);
    }
  };
  const primary = (): Value => {
    const t = take();
    if (!t) throw new AwsFault('ValidationError', `Error in expression ${expression}: it ends too soon.`);
    if (t.kind === 'num') return t.value;
    if (t.kind === 'op' && t.value === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.kind === 'op' && t.value === '-') return combine(0, primary(), BINARY['-']!);
    if (t.kind === 'id' && peek()?.kind === 'op' && peek()!.value === '(') {
      take('(');
      const args: Value[] = [or()];
      while (peek()?.kind === 'op' && peek()!.value === ',') {
        take(',');
        args.push(or());
      }
      take(')');
      return call(t.value.toUpperCase(), args);
    }
    if (t.kind === 'id') {
      const s = series.get(t.value);
      if (!s) throw new AwsFault('ValidationError', `Error in expression ${expression}: Unrecognized metric id ${t.value}.`);
      return s;
    }
    throw new AwsFault('ValidationError', `Error in expression ${expression}: unexpected "${t.value}".`);
  };
  const call = (name: string, args: Value[]): Value => {
    switch (name) {
      case 'FILL': {
        const [s, fill] = args;
        if (typeof fill !== 'number') throw new AwsFault('ValidationError', 'FILL takes a series and a number here.');
        const out: Series = new Map();
        for (const t of timestamps) out.set(t, typeof s === 'number' ? s : (s?.get(t) ?? fill));
        return out;
      }
      case 'PERIOD':
        return typeof args[0] === 'number' || args[0] === undefined ? period : (periodOf.get(args[0]) ?? period);
      case 'IF': {
        const [cond, a, b = 0] = args;
        const out: Series = new Map();
        const at = (v: Value | undefined, t: number) => (v === undefined ? undefined : typeof v === 'number' ? v : v.get(t));
        const keys = typeof cond === 'number' ? timestamps : [...cond!.keys()];
        for (const t of keys) {
          const c = at(cond, t);
          const v = c ? at(a, t) : at(b, t);
          if (v !== undefined) out.set(t, v);
        }
        return out;
      }
      default:
        throw new AwsFault('ValidationError', `Error in expression: the fake does not implement the function ${name}.`);
    }
  };
  const multiplicative = binaryLevel(primary, ['*', '/']);
  const additive = binaryLevel(multiplicative, ['+', '-']);
  const comparison = binaryLevel(additive, ['>', '<', '>=', '<=', '==', '!=']);
  const and = binaryLevel(comparison, [], ['AND']);
  const or = binaryLevel(and, [], ['OR']);
  const result = or();
  if (i < tokens.length) throw new AwsFault('ValidationError', `Error in expression ${expression}: unexpected "${String(tokens[i]!.value)}".`);
  if (typeof result === 'number') return new Map(timestamps.map((t) => [t, result]));
  return result;
}
