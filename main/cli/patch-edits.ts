/**
 * `--patches +name,-name` of `run` and `compare`: the edits over a release's preset of behavioural
 * patches (main/sim/patches.ts editPatches). Checked before anything runs or a store opens, so an
 * unknown or incoherent set is one error line (exit 1) naming the option, the patch and its dependency.
 */
import { kernelModel } from '../sim/kernel-model'
import { PatchSetError } from '../sim/patches'

export function checkPatchEdits(kernel: string, edits: string | undefined): void {
  if (edits === undefined) return
  try {
    kernelModel(kernel, edits)
  } catch (e) {
    // editPatches says "patches: ..."; the user typed --patches.
    if (e instanceof PatchSetError) throw new Error(`--${e.message} (kernel ${kernel})`, { cause: e })
    throw e
  }
}
