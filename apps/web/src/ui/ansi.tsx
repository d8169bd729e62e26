import type { CSSProperties, ReactNode } from 'react';

// The 16 ANSI colours, chosen for contrast on the log's dark background.
const COLORS = [
  '#9aa0a6',
  '#ff8b8b',
  '#8be28b',
  '#f5d76e',
  '#8cb4ff',
  '#e29cf5',
  '#7fdde6',
  '#e6e6e6',
  '#b0b6bc',
  '#ffaaaa',
  '#aaf0aa',
  '#ffe58f',
  '#aecbff',
  '#f0b8ff',
  '#a6f0f7',
  '#ffffff',
];

interface Style {
  color?: string;
  background?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}

function color256(n: number): string {
  if (n < 16) return COLORS[n]!;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `rgb(${level},${level},${level})`;
  }
  const i = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `rgb(${steps[Math.floor(i / 36)]},${steps[Math.floor(i / 6) % 6]},${steps[i % 6]})`;
}

function apply(style: Style, codes: number[]): Style {
  const next = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) Object.keys(next).forEach((k) => delete next[k as keyof Style]);
    else if (c === 1) next.bold = true;
    else if (c === 3) next.italic = true;
    else if (c === 4) next.underline = true;
    else if (c === 22) next.bold = false;
    else if (c === 23) next.italic = false;
    else if (c === 24) next.underline = false;
    else if (c >= 30 && c <= 37) next.color = COLORS[c - 30];
    else if (c >= 90 && c <= 97) next.color = COLORS[c - 90 + 8];
    else if (c === 39) delete next.color;
    else if (c >= 40 && c <= 47) next.background = COLORS[c - 40];
    else if (c === 49) delete next.background;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5 && codes[i + 2] !== undefined) {
      next[c === 38 ? 'color' : 'background'] = color256(codes[i + 2]!);
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2 && codes[i + 4] !== undefined) {
      next[c === 38 ? 'color' : 'background'] =
        `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
      i += 4;
    }
  }
  return next;
}

// SGR sequences are rendered; every other escape sequence is dropped.
const ESCAPES =
  // eslint-disable-next-line no-control-regex -- escape sequences are what it matches
  /\x1b\[([0-9;]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b./g;

/** Text without any escape sequence (for search and download). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '');
}

/** A log line with its ANSI colours as styled spans; `highlight` marks a search match. */
export function renderAnsi(text: string, highlight?: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let style: Style = {};
  let last = 0;
  let key = 0;
  const push = (segment: string) => {
    if (!segment) return;
    const css: CSSProperties = {
      color: style.color,
      background: style.background,
      fontWeight: style.bold ? 700 : undefined,
      fontStyle: style.italic ? 'italic' : undefined,
      textDecoration: style.underline ? 'underline' : undefined,
    };
    const content = highlight ? markAll(segment, highlight, key) : segment;
    parts.push(
      Object.keys(style).length ? (
        <span key={key++} style={css}>
          {content}
        </span>
      ) : (
        <span key={key++}>{content}</span>
      ),
    );
  };
  for (const match of text.matchAll(ESCAPES)) {
    push(text.slice(last, match.index));
    if (match[2] === 'm') style = apply(style, (match[1] || '0').split(';').map(Number));
    last = match.index + match[0].length;
  }
  push(text.slice(last));
  return parts;
}

function markAll(segment: string, needle: string, base: number): ReactNode[] {
  const out: ReactNode[] = [];
  const lower = segment.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  let i = 0;
  for (let at = lower.indexOf(n); at !== -1; at = lower.indexOf(n, from)) {
    out.push(segment.slice(from, at));
    out.push(<mark key={`${base}-${i++}`}>{segment.slice(at, at + n.length)}</mark>);
    from = at + n.length;
  }
  out.push(segment.slice(from));
  return out;
}
