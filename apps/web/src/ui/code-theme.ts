import { HighlightStyle } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

/** Token colours for the dark theme (contrast above 4.5:1 on Mantine's dark background). */
export const oneDarkHighlight = HighlightStyle.define([
  { tag: t.keyword, color: '#d19fe8' },
  { tag: [t.name, t.deleted, t.character, t.macroName], color: '#f08c8c' },
  { tag: [t.function(t.variableName), t.labelName], color: '#8cc4ff' },
  { tag: [t.propertyName], color: '#9fd4ff' },
  { tag: [t.definition(t.name), t.separator], color: '#e6e6e6' },
  {
    tag: [t.typeName, t.className, t.number, t.changed, t.annotation, t.self, t.namespace],
    color: '#f3c77f',
  },
  { tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link], color: '#7fd8e6' },
  { tag: [t.meta, t.comment], color: '#a0a8b8', fontStyle: 'italic' },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: '#f3c77f' },
  { tag: [t.processingInstruction, t.string, t.inserted], color: '#b5e08f' },
  { tag: t.invalid, color: '#ffffff' },
]);

/** Token colours for the light theme (contrast above 4.5:1 on white). */
export const lightHighlight = HighlightStyle.define([
  { tag: t.keyword, color: '#6f2da8' },
  { tag: [t.name, t.deleted, t.character, t.macroName], color: '#a3131c' },
  { tag: [t.function(t.variableName), t.labelName], color: '#1f4fae' },
  { tag: [t.propertyName], color: '#1d5391' },
  {
    tag: [t.typeName, t.className, t.number, t.changed, t.annotation, t.self, t.namespace],
    color: '#8a4b00',
  },
  { tag: [t.operator, t.operatorKeyword, t.url, t.escape, t.regexp, t.link], color: '#0b6170' },
  { tag: [t.meta, t.comment], color: '#5c6370', fontStyle: 'italic' },
  { tag: t.strong, fontWeight: 'bold' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: [t.atom, t.bool, t.special(t.variableName)], color: '#8a4b00' },
  { tag: [t.processingInstruction, t.string, t.inserted], color: '#2f6b12' },
  { tag: t.invalid, color: '#a3131c' },
]);
