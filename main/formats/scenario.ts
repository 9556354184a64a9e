/**
 * Scenario: a profile, an optional kernel, and steps. Each step is a one-key map naming the operation
 * (`- access: {map: m, offset: 0, write: true}`); `task` inside the arguments names the process that
 * performs it (default `main`). Format: docs/formats.md#scenario.
 */
import { z } from 'zod'
import { kernelProblem } from './kernel-field'
import { MAX_STEPS, MAX_TASKS } from './limits'
import { profileSchema, sizeSchema } from './profile'
import { zodIssues } from './zod-issues'

const id = z.string().min(1)
const task = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only').optional()
const offset = sizeSchema.default(0)

export const FAULT_SIZES = ['auto', 'pte', 'pmd', 'pud'] as const
/** mmap/mprotect protections: PROT_READ, PROT_READ|PROT_WRITE, PROT_NONE. */
export const PROTS = ['read', 'read-write', 'none'] as const
export const MADVICES = ['dontneed', 'free', 'hwpoison', 'soft_offline', 'collapse'] as const
export const FALLOCATE_MODES = ['allocate', 'punch_hole', 'zero_range', 'collapse_range', 'insert_range'] as const

/** Every step's arguments: unknown keys are errors that name them; `task` is accepted everywhere. */
function args<T extends z.ZodRawShape>(shape: T) {
  return z.object({ task, ...shape }).strict()
}

/** Argument schema per operation; keys are the step vocabulary. */
export const STEP_ARGS = {
  create: args({ file: z.string().min(1), length: sizeSchema, sparse: z.boolean().default(false) }),
  write: args({ file: z.string().min(1), offset, length: sizeSchema }),
  mmap: args({
      id,
      file: z.string().min(1).optional(),
      device: z.string().min(1).optional(),
      offset,
      length: sizeSchema,
      shared: z.boolean().default(true),
      sync: z.boolean().default(false),
      /** Anonymous mappings only: MADV_HUGEPAGE, so aligned PMD ranges fault as THPs. */
      thp: z.boolean().optional(),
      prot: z.enum(PROTS).optional(),
    })
    .refine((a) => a.file === undefined || a.device === undefined, { message: 'give at most one of file or device (neither: anonymous memory)' })
    .refine((a) => !a.thp || (a.file === undefined && a.device === undefined), { message: 'thp applies to anonymous mappings only (no file or device)', path: ['thp'] }),
  access: args({ map: id, offset, write: z.boolean().default(false), size: z.enum(FAULT_SIZES).default('auto') }),
  gup: args({
    id,
    map: id,
    offset,
    pages: z.number().int().min(1).default(1),
    pin: z.boolean().default(false),
    longterm: z.boolean().default(false),
    fast: z.boolean().default(true),
    write: z.boolean().default(false),
    p2pdma: z.boolean().default(false),
  }),
  unpin: args({ gup: id }),
  put: args({ gup: id }),
  munmap: args({ map: id, offset: sizeSchema.optional(), length: sizeSchema.optional() }),
  fork: args({ child: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only') }),
  exit: args({}),
  truncate: args({ file: z.string().min(1), length: sizeSchema }),
  punch_hole: args({ file: z.string().min(1), offset, length: sizeSchema }),
  unlink: args({ file: z.string().min(1) }),
  umount: args({ mount: z.string().min(1) }),
  /** umount + mount of a DAX filesystem (main/sim/ops/remount.ts); the lab's mounts are all DAX. */
  remount: args({
    mount: z.string().min(1),
    options: z
      .string()
      .refine((o) => o.split(',').every((opt) => ['', 'dax', 'dax=always'].includes(opt.trim())), {
        message: "only 'dax' or 'dax=always' is modelled: every file of a lab mount is DAX (dax=never and dax=inode need non-DAX files)",
      })
      .optional(),
  }),
  mlock: args({ map: id }),
  munlock: args({ map: id }),
  mprotect: args({ map: id, offset, length: sizeSchema.optional(), prot: z.enum(PROTS) }),
  mremap: args({ map: id, new_id: id.optional(), length: sizeSchema, move: z.boolean().default(false), dontunmap: z.boolean().default(false) }),
  madvise: args({ map: id, offset, length: sizeSchema, advice: z.enum(MADVICES) }),
  odirect: args({ id: id.optional(), file: z.string().min(1), map: id, offset, length: sizeSchema, direction: z.enum(['read', 'write']), file_offset: offset }),
  complete: args({ io: id }),
  fallocate: args({ file: z.string().min(1), mode: z.enum(FALLOCATE_MODES), offset, length: sizeSchema }),
  badblock: args({ region: z.string().min(1), offset, length: sizeSchema }),
  memory_failure: args({ region: z.string().min(1), offset }),
  /** migrate_vma_*() through a device driver (test_hmm's HMM_DMIRROR_MIGRATE_TO_DEV / _TO_SYS). */
  migrate: args({
    map: id,
    offset,
    pages: z.number().int().min(1).default(1),
    to: z.enum(['device', 'ram'], { error: "expected 'device' or 'ram'" }),
    device: z.string().min(1).optional(),
  }),
  /** A device reading or writing the process's memory through hmm_range_fault() (HMM_DMIRROR_READ/WRITE). */
  mirror: args({ device: z.string().min(1), map: id, offset, pages: z.number().int().min(1).default(1), write: z.boolean().default(false) }),
  /** hmm_range_fault() without faulting: the per-page flags test_hmm's HMM_DMIRROR_SNAPSHOT reports. */
  snapshot: args({ device: z.string().min(1), map: id, offset, pages: z.number().int().min(1).default(1) }),
  /** Tearing a device down: evict (device memory), unmap (device DAX), then memunmap_pages(). */
  unbind: args({ region: z.string().min(1) }),
  kill: args({ target: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only'), signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT']).default('SIGKILL') }),
  probe: args({
      label: z.string().optional(),
      map: id.optional(),
      file: z.string().optional(),
      region: z.string().optional(),
      offset,
    })
    .refine((a) => [a.map, a.file, a.region].filter((x) => x !== undefined).length === 1, {
      message: 'give exactly one of map, file or region',
    }),
} as const

export type StepOp = keyof typeof STEP_ARGS
export const STEP_OPS = Object.keys(STEP_ARGS) as StepOp[]
export type StepArgs<K extends StepOp> = z.output<(typeof STEP_ARGS)[K]>
export type Step = { [K in StepOp]: { op: K; task: string; args: StepArgs<K> } }[StepOp]

const stepSchema = z.unknown().transform((raw, ctx): Step => {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    ctx.addIssue({ code: 'custom', message: `a step is a one-key map such as '- access: {map: m}' (one of: ${STEP_OPS.join(', ')})` })
    return z.NEVER
  }
  const keys = Object.keys(raw)
  if (keys.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `a step has exactly one key naming its operation, found ${keys.length ? keys.join(', ') : 'none'}` })
    return z.NEVER
  }
  const op = keys[0] as string
  // Own keys only: a step named `toString` or `__proto__` is an unknown operation, not Object's member.
  if (!Object.hasOwn(STEP_ARGS, op)) {
    ctx.addIssue({ code: 'custom', path: [op], message: `unknown operation '${op}' (one of: ${STEP_OPS.join(', ')})` })
    return z.NEVER
  }
  const schema = STEP_ARGS[op as StepOp]
  const parsed = schema.safeParse(Object.getOwnPropertyDescriptor(raw, op)?.value ?? {})
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: [op, ...issue.path], message: issue.message })
    }
    return z.NEVER
  }
  const args = parsed.data as { task?: string }
  return { op, task: args.task ?? 'main', args } as Step
})

const kernelSchema = z
  .string({ error: (i) => (typeof i.input === 'number' ? `write the release as a string, e.g. kernel: "6.14" (a number loses trailing zeros: 6.10 is 6.1)` : 'expected a kernel release such as "6.14"') })
  .superRefine((text, ctx) => {
    const problem = kernelProblem(text)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/** A built-in profile's name or an inline profile: each form reports its own errors. */
const scenarioProfile = z.unknown().transform((value, ctx): string | z.output<typeof profileSchema> => {
  const schema = typeof value === 'string' ? z.string().min(1, 'name a built-in profile or write one inline') : value !== null && typeof value === 'object' && !Array.isArray(value) ? profileSchema : undefined
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: `expected a built-in profile name or an inline profile map, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` })
    return z.NEVER
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  for (const issue of zodIssues(parsed.error.issues)) ctx.addIssue({ code: 'custom', path: [...issue.at], message: issue.reason })
  return z.NEVER
})

/** Every task a scenario can create: `main`, each `task:` and each forked child, at most MAX_TASKS. */
function checkTasks(steps: readonly Step[], ctx: z.RefinementCtx): void {
  const tasks = new Set<string>(['main'])
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!
    tasks.add(step.task)
    if (step.op === 'fork') tasks.add(step.args.child)
    if (tasks.size > MAX_TASKS) {
      ctx.addIssue({ code: 'custom', path: ['steps', i], message: `more than ${MAX_TASKS} distinct tasks (main, task: names and fork children): at most ${MAX_TASKS}` })
      return
    }
  }
}

/** Refuses an oversized step list before each step is validated (the cap bounds that work). */
const stepList = z
  .array(z.unknown())
  .min(1, 'a scenario needs at least one step')
  .max(MAX_STEPS, `at most ${MAX_STEPS} steps`)
  .pipe(z.array(stepSchema))

/** Most atomic-step tasks a `concurrent:` block may name (the explorer's search grows as tasks^steps). */
export const MAX_CONCURRENT_TASKS = 8
/** Most steps one concurrent task may have. */
export const MAX_CONCURRENT_STEPS = 64

/**
 * `concurrent:` (docs/explore.md): tasks whose steps run interleaved at the kernel's atomic-step
 * granularity after `steps:`. Each step runs as its task (a `task:` inside it must name the same task).
 */
const concurrentTask = z
  .object({
    task: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only'),
    steps: z.array(z.unknown()).min(1, 'a concurrent task needs at least one step').max(MAX_CONCURRENT_STEPS, `at most ${MAX_CONCURRENT_STEPS} steps per concurrent task`).pipe(z.array(stepSchema)),
  })
  .strict()

export type ConcurrentTask = z.output<typeof concurrentTask>

/** Concurrent task names are distinct, steps name their own task, and `kill` (a scheduler verb) stays sequential. */
function checkConcurrent(tasks: readonly ConcurrentTask[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>()
  tasks.forEach((t, i) => {
    if (seen.has(t.task)) ctx.addIssue({ code: 'custom', path: ['concurrent', i, 'task'], message: `task '${t.task}' appears twice in concurrent` })
    seen.add(t.task)
    t.steps.forEach((step, j) => {
      const named = (step.args as { task?: string }).task
      if (named !== undefined && named !== t.task) ctx.addIssue({ code: 'custom', path: ['concurrent', i, 'steps', j, step.op, 'task'], message: `a step of concurrent task '${t.task}' cannot run as task '${named}'` })
      if (step.op === 'kill') ctx.addIssue({ code: 'custom', path: ['concurrent', i, 'steps', j, 'kill'], message: 'kill is not supported inside concurrent (put it in steps:)' })
    })
  })
}

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().min(1),
    profile: scenarioProfile,
    kernel: kernelSchema.optional(),
    sources: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
    steps: stepList,
    concurrent: z.array(concurrentTask).min(1, 'concurrent needs at least one task').max(MAX_CONCURRENT_TASKS, `at most ${MAX_CONCURRENT_TASKS} concurrent tasks`).optional(),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    if (!scenario.concurrent) return checkTasks(scenario.steps, ctx)
    checkTasks([...scenario.steps, ...scenario.concurrent.flatMap((t) => t.steps.map((s) => ({ ...s, task: t.task }) as Step))], ctx)
    checkConcurrent(scenario.concurrent, ctx)
  })

export type Scenario = z.output<typeof scenarioSchema>
