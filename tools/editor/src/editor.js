// The CodeMirror 6 pieces rammegraf's SPARQL editor uses, bundled by esbuild into
// src/rammegraf/static/editor.js as the global `RammegrafEditor`. The editor itself
// (completion, Ctrl+Enter, error position) is ours, in src/rammegraf/static/sparql.js.
export { EditorState, EditorSelection, Compartment } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars, placeholder,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, HighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
export {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion, acceptCompletion,
  currentCompletions, completionStatus,
} from "@codemirror/autocomplete";
export { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";
export { tags } from "@lezer/highlight";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
