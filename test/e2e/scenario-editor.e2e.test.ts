/**
 * The scenario editor in Chromium over the web transport: a built-in opened as a template in
 * CodeMirror, a schema error marked on its line, fixed, run without saving (the run keeps the edited
 * text), saved as a user scenario that the library lists under its topic and the Run form offers, and a
 * built-in name refused on the `name:` line. Screenshots in test-results/scenario-editor-*.png.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, noHorizontalOverflow, useStackPage } from './harness'

const { stack, page } = useStackPage({ width: 1400, height: 900 })

/** The editor's line elements, inside its shadow root (in-page code as a string: no DOM types here). */
const LINES_JS = `[...document.querySelector('[data-testid=yaml-editor]').shadowRoot.querySelectorAll('.cm-line')]`

const BUILTIN = readFileSync(join(ROOT, 'scenarios/fsdax-pin-unpin.yaml'), 'utf8')
const MINE = BUILTIN.replace(/^name: .*$/m, 'name: my-e2e-pin\ntags: [fsdax]')

/**
 * Replaces the editor's whole text the way a user would: select all, then paste. (Typing it would run
 * the editor's auto-indent and bracket closing over every line.)
 */
async function setEditorText(text: string): Promise<void> {
  const content = page.getByTestId('yaml-editor').locator('.cm-content')
  await content.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.evaluate(`(() => {
    const data = new DataTransfer()
    data.setData('text/plain', ${JSON.stringify(text)})
    document.querySelector('[data-testid=yaml-editor]').shadowRoot.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  })()`)
  await expect.poll(() => page.evaluate<number>(`${LINES_JS}.length`)).toBe(text.split('\n').length)
}

/** The 1-based lines CodeMirror marks with an error underline. */
const markedLines = () => page.evaluate<number[]>(`${LINES_JS}.flatMap((line, i) => line.querySelector('.cm-lintRange-error') ? [i + 1] : [])`)

describe('scenario editor in Chromium', () => {
  it('opens a built-in as a template and finds it valid', async () => {
    await page.goto(stack.bridge.pageUrl)
    await page.getByRole('tab', { name: 'Scenarios' }).click()
    await page.getByTestId('scenario-index').getByRole('button', { name: 'fsdax-pin-unpin' }).click()
    await page.getByTestId('open-in-editor').click()
    const editor = page.getByTestId('scenario-editor')
    await editor.waitFor()
    expect(await editor.innerText()).toContain('fsdax-pin-unpin (built-in, as a template)')
    await expect.poll(() => page.getByTestId('editor-valid').innerText()).toBe("Valid: 'fsdax-pin-unpin' runs as written.")
    expect(await page.getByTestId('yaml-editor').locator('.cm-content').innerText()).toContain('name: fsdax-pin-unpin')
  })

  it('marks a schema error on its line, in the gutter and in the list', async () => {
    const broken = MINE.replace('  - mmap: {', '  - mmapp: {')
    const line = broken.split('\n').findIndex((l) => l.startsWith('  - mmapp:')) + 1
    await setEditorText(broken)
    await expect.poll(markedLines).toEqual([line])
    const list = page.getByTestId('editor-diagnostics')
    await expect.poll(() => list.innerText()).toMatch(new RegExp(`^line ${line}: steps\\[\\d+\\]`))
    expect(await page.getByTestId('yaml-editor').locator('.cm-lint-marker-error').count()).toBe(1)
    for (const size of [
      { width: 1400, height: 900 },
      { width: 900, height: 600 },
    ]) {
      await page.setViewportSize(size)
      await page.screenshot({ path: join(stack.resultsDir, `scenario-editor-${size.width}x${size.height}.png`), fullPage: true })
      await noHorizontalOverflow(page)
    }
    await page.setViewportSize({ width: 1400, height: 900 })
  })

  it('runs the fixed text without saving it; the run keeps the edited text', async () => {
    await setEditorText(MINE)
    await expect.poll(() => page.getByTestId('editor-valid').innerText()).toBe("Valid: 'my-e2e-pin' runs as written.")
    await page.getByRole('combobox', { name: 'Kernel for the edited run' }).fill('6.14')
    await page.getByTestId('editor-run').click()
    await expect.poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true')
    const detail = page.getByTestId('run-detail')
    await expect.poll(() => detail.locator('h2').innerText()).toContain('my-e2e-pin')
    expect(await detail.innerText()).toContain('legacy')
    // Nothing was saved: the library has no such scenario yet.
    expect(await page.getByTestId('scenario-index').innerText()).not.toContain('my-e2e-pin')
  })

  it('saves it as a user scenario, listed under its topic and in the Run form', async () => {
    await page.getByRole('tab', { name: 'Scenarios' }).click()
    await page.getByTestId('editor-save').click()
    await expect.poll(() => page.getByTestId('editor-notice').innerText()).toContain("Saved 'my-e2e-pin' under fsdax")
    const link = page.getByTestId('scenario-index').locator('section', { hasText: 'fsdax' }).getByRole('button', { name: /my-e2e-pin/ })
    await expect.poll(() => link.innerText()).toBe('my-e2e-pinyours')
    // The Runs view is hidden (role queries skip hidden elements): read its select directly.
    const options = await page.getByTestId('run-form').locator('select[name=scenario] option').allTextContents()
    expect(options).toContain('my-e2e-pin')
  })

  it('refuses a built-in name on the name: line', async () => {
    await setEditorText(BUILTIN)
    await page.getByTestId('editor-save').click()
    await expect.poll(() => page.getByTestId('editor-diagnostics').innerText()).toMatch(/^line 1: name: 'fsdax-pin-unpin' is the name of a built-in scenario/)
    await page.getByTestId('editor-close').click()
    await page.getByTestId('scenario-detail').waitFor()
  })

  it('logged no console errors or CSP violations', () => {
    // The one expected: Chromium logs the refused save (HTTP 400 with the envelope naming the field).
    const unexpected = stack.problems.filter((p, i) => !(p === 'error: Failed to load resource: the server responded with a status of 400 (Bad Request)' && i === stack.problems.indexOf(p)))
    expect(unexpected.join('\n')).toBe('')
  })
})
