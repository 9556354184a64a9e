/**
 * Generic bit-field extract/deposit on 64-bit entry values, in the spirit of QEMU's
 * `FIELD()`/`FIELD_EX64()`/`FIELD_DP64()`: fields are declared once and read through these helpers,
 * never with masks written by hand at the call site.
 */
export function fieldMask(shift: number, width: number): bigint {
  return ((1n << BigInt(width)) - 1n) << BigInt(shift)
}

export function extractField(value: bigint, shift: number, width: number): bigint {
  return (value >> BigInt(shift)) & ((1n << BigInt(width)) - 1n)
}

export function depositField(value: bigint, shift: number, width: number, field: bigint): bigint {
  const mask = fieldMask(shift, width)
  return (value & ~mask) | ((field << BigInt(shift)) & mask)
}

export function toHex(value: bigint | number): string {
  return '0x' + value.toString(16)
}

export function toHex64(value: bigint): string {
  return '0x' + value.toString(16).padStart(16, '0')
}

/** Parses `0x...`, or decimal, into an unsigned 64-bit value; undefined when it is not one. */
export function parseU64(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '')
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(t)) return undefined
  const v = BigInt(t)
  return v < 0n || v >= 1n << 64n ? undefined : v
}
