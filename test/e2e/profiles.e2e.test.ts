/**
 * The Hardware profiles view in Chromium over the web transport: create a profile with a bad field (the
 * error shows beside it, in plain words), fix it, save it, check it against kernels, then run a
 * scenario on it under 6.14 and 6.17 from the Runs view. Screenshots of the view at 1400x900 and at the
 * minimum window size (900x600) in test-results/profiles-*.png.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { noHorizontalOverflow as noOverflow, useStackPage } from './harness'

const { stack, page } = useStackPage({ width: 1400, height: 900 })

const noHorizontalOverflow = () => noOverflow(page)

describe('hardware profiles in Chromium', () => {
  it('opens on a built-in, read-only', async () => {
    await page.goto(stack.bridge.pageUrl)
    await page.getByRole('tab', { name: 'Hardware profiles' }).click()
    const editor = page.getByTestId('profile-editor')
    await editor.getByTestId('builtin-badge').waitFor()
    expect(await page.getByTestId('builtin-profiles').locator('button').count()).toBeGreaterThan(10)
    expect(await editor.locator('input[name=profile-name]').isDisabled()).toBe(true)
    expect(await editor.getByTestId('save-profile').count()).toBe(0)
    await page.screenshot({ path: join(stack.resultsDir, 'profiles-builtin-1400x900.png'), fullPage: true })
  })

  it('shows a bad field’s error beside it, then saves the fixed profile', async () => {
    await page.getByTestId('new-profile').click()
    const editor = page.getByTestId('profile-editor')
    await editor.locator('input[name=profile-name]').fill('e2e-box')
    const region = page.getByTestId('region-0')
    await region.getByRole('textbox', { name: 'region 0 mount' }).fill('mnt/pmem0')
    await region.getByRole('textbox', { name: 'region 0 size' }).fill('2')
    // The error is next to the field, in words (never the schema's raw message), and Save waits.
    const error = region.locator('#region-0-mount-error')
    await expect.poll(() => error.innerText()).toBe('A mount path must be absolute.')
    expect(await region.getByRole('textbox', { name: 'region 0 mount' }).getAttribute('aria-describedby')).toBe('region-0-mount-error')
    expect(await editor.getByTestId('save-profile').isDisabled()).toBe(true)
    await region.getByRole('textbox', { name: 'region 0 size' }).fill('two')
    await expect.poll(() => region.locator('#region-0-size-error').innerText()).toBe('Write the size as a whole number of GiB (for 1.5 GiB, pick MiB and write 1536).')
    for (const size of [
      { width: 1400, height: 900 },
      { width: 900, height: 600 },
    ]) {
      await page.setViewportSize(size)
      await page.screenshot({ path: join(stack.resultsDir, `profiles-errors-${size.width}x${size.height}.png`), fullPage: true })
      await noHorizontalOverflow()
    }
    await page.setViewportSize({ width: 1400, height: 900 })
    await region.getByRole('textbox', { name: 'region 0 size' }).fill('2')
    await region.getByRole('textbox', { name: 'region 0 mount' }).fill('/mnt/pmem0')
    await expect.poll(() => editor.getByTestId('field-error').count()).toBe(0)

    // A second region: devdax, moved to the top, with its align field.
    await page.getByRole('combobox', { name: 'type of the region to add' }).selectOption('devdax')
    await page.getByTestId('add-region').click()
    await page.getByRole('button', { name: 'move region 1 up' }).click()
    expect(await page.getByRole('combobox', { name: 'region 0 type' }).inputValue()).toBe('devdax')
    await page.getByRole('combobox', { name: 'region 0 align' }).selectOption('2MiB')

    await editor.getByTestId('save-profile').click()
    await expect.poll(() => editor.getByTestId('profile-notice').innerText()).toContain("Saved 'e2e-box'")
    await expect.poll(() => page.getByTestId('user-profiles').innerText()).toContain('e2e-box')
  })

  it('checks the saved machine against kernels', async () => {
    const editor = page.getByTestId('profile-editor')
    await editor.locator('select[name=profile-arch]').selectOption('loongarch')
    await editor.locator('input[name=check-kernel]').fill('6.10')
    await editor.getByTestId('check-profile').click()
    await expect.poll(() => editor.getByTestId('kernel-check').innerText()).toMatch(/Kernel 6\.10 cannot: region 'dax0' \(devdax\): ZONE_DEVICE cannot be configured on loongarch/)
    await editor.locator('select[name=profile-arch]').selectOption('x86')
    await editor.locator('input[name=check-kernel]').fill('6.14')
    await editor.getByTestId('check-profile').click()
    await expect.poll(() => editor.getByTestId('kernel-check').innerText()).toBe('Kernel 6.14 can build this machine on x86 / default.')
    // Back to the saved state: the arch change was an edit.
    await editor.getByTestId('save-profile').click()
    await expect.poll(() => editor.getByTestId('profile-notice').innerText()).toContain("Saved 'e2e-box'")
    for (const size of [
      { width: 1400, height: 900 },
      { width: 900, height: 600 },
    ]) {
      await page.setViewportSize(size)
      await page.screenshot({ path: join(stack.resultsDir, `profiles-${size.width}x${size.height}.png`), fullPage: true })
      await noHorizontalOverflow()
    }
    await page.setViewportSize({ width: 1400, height: 900 })
  })

  it('runs a scenario on it under 6.14 and 6.17', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click()
    const form = page.getByTestId('run-form')
    await form.getByRole('combobox', { name: 'Scenario' }).selectOption('fsdax-pin-unpin')
    await form.getByRole('combobox', { name: 'Profile' }).selectOption('e2e-box')
    for (const kernel of ['6.14', '6.17']) {
      await form.getByRole('combobox', { name: 'Kernel' }).fill(kernel)
      await form.getByRole('button', { name: 'Run scenario' }).click()
      const scheme = kernel === '6.14' ? 'legacy' : 'refcounted'
      const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: `${kernel} ${scheme}` })
      await expect.poll(() => row.count()).toBe(1)
      // The new run opens: its facts name the saved profile (its arch and variant came from it).
      const detail = page.getByTestId('run-detail')
      await expect.poll(() => detail.innerText()).toContain(`${kernel}`)
      expect(await detail.innerText()).toContain('e2e-box')
      expect(await detail.innerText()).toContain(scheme)
    }
  })

  it('logged no console errors or CSP violations', () => {
    expect(stack.problems).toEqual([])
  })
})
