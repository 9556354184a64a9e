/** Errors that stop a whole run (as opposed to a step's errno, which is a result). */

/** The machine or scenario asks for something the kernel could not build, or the lab does not model. */
export class ModelError extends Error {
  override name = 'ModelError'
}

/** The run was cancelled between steps. */
export class CancelledError extends Error {
  override name = 'CancelledError'
}
