import { describe, expect, it } from 'vitest'
import { getArch } from '../../arch/index'
import { context, decodeEntry, encodeLeaf, entryHelpers } from '../../arch/entry'
import { kernel } from '../../arch/kernel'

describe('x86 leaf entries', () => {
  const x86 = getArch('x86')
  it('legacy pte_mkdevmap sets SPECIAL|DEVMAP (bit 57 from 6.6)', () => {
    const ctx = context(x86, kernel('6.14'))
    const v = encodeLeaf(x86, ctx, 'pte', { pfn: 0x100000n, write: false, dirty: false, special: false, devmap: true })
    // PRESENT|USER|ACCESSED|NX|SPECIAL|DEVMAP(57) + pfn<<12
    expect(v).toBe(0x8200000100000225n)
    expect(entryHelpers(x86, ctx, 'pte', v)).toMatchObject({ present: true, special: true, devmap: true })
  })
  it('devmap was bit 58 before 6.6', () => {
    const ctx = context(x86, kernel('6.1'))
    const v = encodeLeaf(x86, ctx, 'pmd', { pfn: 0x100000n, write: true, dirty: true, special: false, devmap: true })
    expect(v & (1n << 58n)).toBe(1n << 58n)
    expect(decodeEntry(x86, ctx, 'pmd', v).flags).toContain('DEVMAP')
  })
  it('6.17 has no devmap and frees bit 57', () => {
    const ctx = context(x86, kernel('6.17'))
    expect(() => encodeLeaf(x86, ctx, 'pte', { pfn: 1n, write: false, dirty: false, special: false, devmap: true })).toThrow(/6\.17/)
    const d = decodeEntry(x86, ctx, 'pte', 1n << 57n)
    expect(d.flags).toEqual(['SOFTW4'])
  })
})
