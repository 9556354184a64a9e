import { describe, expect, it } from 'vitest'
import { defaultDbPath } from '../../main/store/paths'

describe('defaultDbPath', () => {
  it('follows XDG on Linux', () => {
    expect(defaultDbPath({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u')).toBe('/data/daxlab/daxlab.sqlite')
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/daxlab/daxlab.sqlite')
    expect(defaultDbPath({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/daxlab/daxlab.sqlite')
  })

  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/daxlab/daxlab.sqlite')
    expect(defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\daxlab\\daxlab.sqlite')
    expect(defaultDbPath({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\daxlab\\daxlab.sqlite')
  })

  it('lets DAXLAB_DB override', () => {
    expect(defaultDbPath({ DAXLAB_DB: '/tmp/x.sqlite', XDG_DATA_HOME: '/data' }, process.platform, '/home/u')).toBe('/tmp/x.sqlite')
  })
})
