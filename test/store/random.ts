/** xorshift32: deterministic test workloads without a dependency. Returns a generator of integers in [0, n). */
export function xorshift32(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1
  return (n) => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % n
  }
}
