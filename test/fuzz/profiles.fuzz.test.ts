/** Every profile text parses or fails with a FormatError naming the field or line (see documents.ts). */
import { test } from '@fast-check/vitest'
import { describe } from 'vitest'
import { parseProfileText } from '../../main/formats/load'
import { profile } from './arbitraries'
import { fuzzRuns, testTimeout } from './budget'
import { form, parsesOrNamesWhere, serialise } from './documents'

describe('profiles', () => {
  const runs = fuzzRuns()
  test.prop([profile, form], { numRuns: runs })('parse or name the field/line', (doc, f) => {
    parsesOrNamesWhere(parseProfileText, serialise(doc, f), `p.${f === 'json' ? 'json' : 'yaml'}`)
  }, testTimeout(runs))
})

