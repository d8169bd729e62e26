/** One vector selector of a PromQL expression: `name{label="value", ...}`. */
export interface PromqlSelector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

export interface PromqlReferences {
  selectors: PromqlSelector[];
  /** Labels named in `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`, `group_left (...)`. */
  groupingLabels: string[];
}

const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);
const KEYWORDS = new Set([
  ...LABEL_LIST_KEYWORDS,
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
]);

type Token = { kind: 'ident' | 'string' | 'number' | 'punct' | 'other'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s+|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)|([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?[a-z]*)|([A-Za-z_:][A-Za-z0-9_:]*)|(=~|!~|!=|==|<=|>=|[(){}[\],=<>+\-*/^%@:])/gy;
  let at = 0;
  while (at < expr.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(expr);
    if (!match) throw new Error(`cannot read PromQL at "${expr.slice(at)}" in ${expr}`);
    at = pattern.lastIndex;
    const [, string, variable, number, ident, punct] = match;
    if (string !== undefined) tokens.push({ kind: 'string', text: string.slice(1, -1) });
    else if (variable !== undefined) tokens.push({ kind: 'other', text: variable });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (ident !== undefined) tokens.push({ kind: 'ident', text: ident });
    else if (punct !== undefined) tokens.push({ kind: 'punct', text: punct });
  }
  return tokens;
}

/**
 * The metrics and labels a PromQL expression reads: every vector selector with its label
 * matchers, and the labels of its grouping clauses. Functions and aggregations (`rate(`,
 * `histogram_quantile(`, `sum by (le) (`), range and subquery brackets (`[$__rate_interval]`),
 * numbers, strings and Grafana variables are skipped. Enough PromQL for dashboards, not a
 * full parser: it throws on what it cannot read rather than guessing.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const tokens = tokenize(expr);
  const selectors: PromqlSelector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  const next = () => tokens[i + 1];
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'punct' && token.text === '[') {
      // A range or subquery: its durations are not metrics.
      while (i < tokens.length && tokens[i]!.text !== ']') i += 1;
    } else if (token.kind === 'ident' && LABEL_LIST_KEYWORDS.has(token.text)) {
      if (next()?.text === '(') {
        i += 2;
        while (i < tokens.length && tokens[i]!.text !== ')') {
          if (tokens[i]!.kind === 'ident') groupingLabels.push(tokens[i]!.text);
          i += 1;
        }
      }
    } else if (
      token.kind === 'ident' &&
      !KEYWORDS.has(token.text) &&
      // A function or aggregation: `rate(`, `sum(`, `sum by (...) (`.
      next()?.text !== '(' &&
      !(next()?.kind === 'ident' && ['by', 'without'].includes(next()!.text))
    ) {
      const selector: PromqlSelector = { metric: token.text, matchers: [] };
      if (next()?.text === '{') {
        i += 2;
        while (i < tokens.length && tokens[i]!.text !== '}') {
          const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
          if (label?.kind !== 'ident' || op?.kind !== 'punct' || value?.kind !== 'string')
            throw new Error(`cannot read the label matchers of ${token.text} in ${expr}`);
          selector.matchers.push({ label: label.text, op: op.text, value: value.text });
          i += 3;
          if (tokens[i]?.text === ',') i += 1;
        }
      }
      selectors.push(selector);
    }
    i += 1;
  }
  return { selectors, groupingLabels };
}
