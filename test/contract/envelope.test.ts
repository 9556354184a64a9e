import { describe, expect, it } from 'vitest'
import type { LabMethod } from '../../main/contract/api'
import { LabError, callLab, isLabMethod, isLabResult, toErrorData, unwrapResult, validateRequest } from '../../main/contract/envelope'
import { createFakeLabApi } from '../fakes/lab-api'

describe('envelope', () => {
  it('knows the contract methods and nothing inherited', () => {
    expect(isLabMethod('getRun')).toBe(true)
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', '']) expect(isLabMethod(name)).toBe(false)
  })

  it('names nested and extra fields', () => {
    expect(validateRequest('listRuns', { limit: 0 })).toMatchObject({ ok: false, error: { field: 'limit' } })
    expect(validateRequest('listRuns', { sort: 'id' })).toMatchObject({ ok: false, error: { field: 'sort' } })
    const whole = validateRequest('getRun', 'seven')
    expect(whole).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(whole.ok || 'field' in whole.error).toBe(false)
    expect(validateRequest('listScenarios', undefined)).toEqual({ ok: true, value: undefined })
  })

  it('refuses a method name that is not in the contract', async () => {
    const result = await callLab(createFakeLabApi(), 'dropTables' as LabMethod, {})
    expect(result).toEqual({ ok: false, error: { code: 'not_found', message: "unknown method 'dropTables'" } })
  })

  it('keeps LabError data and reduces other throws to their message', () => {
    expect(toErrorData(new LabError({ code: 'not_found', message: 'gone', field: 'id' }))).toEqual({ code: 'not_found', message: 'gone', field: 'id' })
    expect(toErrorData(Object.assign(new Error('x'), { data: { code: 'bogus', message: 'm' } }))).toEqual({ code: 'failed', message: 'x' })
    expect(toErrorData('plain')).toEqual({ code: 'failed', message: 'plain' })
  })

  it('round-trips through unwrapResult', () => {
    expect(unwrapResult({ ok: true, value: 3 })).toBe(3)
    expect(() => unwrapResult({ ok: false, error: { code: 'failed', message: 'no' } })).toThrow(LabError)
    expect(isLabResult({ ok: true, value: undefined })).toBe(true)
    expect(isLabResult({ ok: false, error: { code: 'nope', message: '' } })).toBe(false)
    expect(isLabResult(null)).toBe(false)
  })
})
