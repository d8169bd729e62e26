'use client';
import { useEffect, useRef } from 'react';
import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import {
  bracketMatching,
  indentOnInput,
  StreamLanguage,
  syntaxHighlighting,
} from '@codemirror/language';
import {
  autocompletion,
  closeBrackets,
  completionKeymap,
  snippetCompletion,
  type CompletionContext,
} from '@codemirror/autocomplete';
import { searchKeymap } from '@codemirror/search';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { lightHighlight, oneDarkHighlight } from './code-theme.ts';
import { SDK_FUNCTIONS, type ScriptLanguage } from './sdk-completions.ts';

function languageOf(language: ScriptLanguage | 'json' | 'text') {
  if (language === 'python') return python();
  if (language === 'node') return javascript();
  if (language === 'json') return javascript({ jsx: false, typescript: false });
  if (language === 'bash') return StreamLanguage.define(shell);
  return [];
}

/** The SDK's functions of the language, as snippet completions. */
function sdkCompletions(language: ScriptLanguage | 'json' | 'text') {
  const functions = language in SDK_FUNCTIONS ? SDK_FUNCTIONS[language as ScriptLanguage] : [];
  const options = functions.map((f) =>
    snippetCompletion(f.snippet, { label: f.label, detail: f.detail, type: 'function' }),
  );
  return (context: CompletionContext) => {
    const word = context.matchBefore(/[\w.]+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return { from: word.from, options, validFor: /^[\w.]*$/ };
  };
}

/**
 * The code editor: CodeMirror 6, bundled with the app (no CDN), with Bash, Python and
 * JavaScript highlighting and the SDK's functions as completions (Ctrl-Space, or as you type).
 */
export default function CodeEditor(props: {
  value: string;
  onChange(value: string): void;
  language: ScriptLanguage | 'json' | 'text';
  label: string;
  dark: boolean;
  minHeight?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const language = useRef(new Compartment());
  const theme = useRef(new Compartment());

  useEffect(() => {
    const state = EditorState.create({
      doc: props.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        language.current.of([
          languageOf(props.language),
          autocompletion({ override: [sdkCompletions(props.language)] }),
        ]),
        theme.current.of(themeFor(props.dark)),
        keymap.of([
          ...defaultKeymap,
          ...historyKeymap,
          ...searchKeymap,
          ...completionKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ 'aria-label': props.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange.current(update.state.doc.toString());
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    // The scroller is reachable by keyboard too (axe: scrollable-region-focusable).
    view.current.scrollDOM.tabIndex = 0;
    return () => view.current?.destroy();
    // The editor is made once; the effects below follow the props.
  }, []);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure([
        languageOf(props.language),
        autocompletion({ override: [sdkCompletions(props.language)] }),
      ]),
    });
  }, [props.language]);

  useEffect(() => {
    view.current?.dispatch({ effects: theme.current.reconfigure(themeFor(props.dark)) });
  }, [props.dark]);

  useEffect(() => {
    const current = view.current?.state.doc.toString();
    if (view.current && current !== props.value)
      view.current.dispatch({ changes: { from: 0, to: current!.length, insert: props.value } });
  }, [props.value]);

  return (
    <div
      className="cr-editor"
      ref={host}
      style={props.minHeight ? { minHeight: props.minHeight } : undefined}
      data-testid="code-editor"
    />
  );
}

function themeFor(dark: boolean) {
  return dark
    ? [
        EditorView.theme(
          {
            '&': { backgroundColor: '#242424', color: '#e6e6e6' },
            '.cm-gutters': { backgroundColor: '#1f1f1f', color: '#b4b4b4', border: 'none' },
            '.cm-activeLine': { backgroundColor: '#ffffff0d' },
            '.cm-activeLineGutter': { backgroundColor: '#ffffff14' },
            '.cm-cursor': { borderLeftColor: '#ffffff' },
            '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
              backgroundColor: '#3b5bdb66',
            },
          },
          { dark: true },
        ),
        syntaxHighlighting(oneDarkHighlight),
      ]
    : [syntaxHighlighting(lightHighlight)];
}
