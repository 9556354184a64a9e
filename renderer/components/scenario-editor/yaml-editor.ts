/**
 * A CodeMirror 6 editor for scenario YAML: the YAML language, line numbers, and lint diagnostics from
 * a check function (the backend's parser, which knows each issue's line). Kept apart from the Vue
 * component so the editor's setup reads in one place.
 *
 * The editor lives in a shadow root. CodeMirror's styles (style-mod) go into a constructed stylesheet
 * (adoptedStyleSheets) there, but into a <style> element in a document, which the app's CSP
 * (style-src 'self', no inline styles) refuses. So the app's stylesheets do not reach inside, and the
 * editor's look is set with EditorView.theme below.
 */
import { yaml } from '@codemirror/lang-yaml'
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint'
import { EditorView, basicSetup } from 'codemirror'
import type { DocumentIssue } from '../../../main/contract/api'

export interface YamlEditorOptions {
  readonly parent: HTMLElement
  readonly text: string
  /** Validates the text; each issue is marked on its line (line 1 when the parser gave none). */
  readonly check: (text: string) => Promise<readonly DocumentIssue[]>
  readonly onChange: (text: string) => void
  readonly label: string
}

/** An issue as a diagnostic spanning its whole line. */
export function diagnosticOf(view: EditorView, issue: DocumentIssue): Diagnostic {
  const doc = view.state.doc
  const line = doc.line(Math.min(Math.max(issue.line ?? 1, 1), doc.lines))
  return { from: line.from, to: line.to, severity: 'error', message: issue.path ? `${issue.path}: ${issue.message}` : issue.message }
}

const theme = EditorView.theme({
  '&': { height: '440px', fontSize: '12.5px', backgroundColor: 'var(--surface, #fff)' },
  '.cm-scroller': { fontFamily: 'var(--mono, monospace)' },
  '.cm-gutters': { backgroundColor: '#f9fafb', color: '#667085', borderRight: '1px solid #dde1e6' },
})

export function createYamlEditor(options: YamlEditorOptions): EditorView {
  const root = options.parent.shadowRoot ?? options.parent.attachShadow({ mode: 'open' })
  const mount = document.createElement('div')
  root.append(mount)
  return new EditorView({
    doc: options.text,
    parent: mount,
    root,
    extensions: [
      basicSetup,
      theme,
      yaml(),
      lintGutter(),
      // A pause in typing, then one check; CodeMirror drops the answer if the text changed meanwhile.
      linter(async (view) => (await options.check(view.state.doc.toString())).map((issue) => diagnosticOf(view, issue)), { delay: 400 }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange(update.state.doc.toString())
      }),
      EditorView.contentAttributes.of({ 'aria-label': options.label }),
    ],
  })
}

/** Replaces the whole text (opening another scenario) without a change event of the user's. */
export function replaceText(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } })
}
