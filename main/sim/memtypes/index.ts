/** The memory types by region type: one module each (types.ts says what a module answers). */
import type { RegionType } from '../../formats/profile'
import { deviceCoherent } from './device-coherent'
import { devicePrivate } from './device-private'
import { devdax } from './devdax'
import { fsdax } from './fsdax'
import { p2pdma } from './p2pdma'
import { systemRam } from './system-ram'
import type { MemoryType } from './types'

export type { MemoryType, MemoryFailurePath } from './types'

export const MEMORY_TYPES: Readonly<Record<RegionType, MemoryType>> = {
  fsdax,
  devdax,
  'device-private': devicePrivate,
  'device-coherent': deviceCoherent,
  p2pdma,
  'system-ram': systemRam,
}

export function memoryType(region: RegionType): MemoryType {
  return MEMORY_TYPES[region]
}
