/**
 * `import-trace --to-scenario`: proposes a scenario that replays what a trace shows of FS DAX files —
 * the files and mappings its fs_dax fault events name, each fault that mapped something, the GUP pins,
 * gets and their releases its page_ref events show on those pages, and the munmaps their mapcounts
 * imply — with a probe after each step that carries the trace's own counts in its label, so a run of
 * the proposal can be set beside the trace (docs/trace-import.md#proposing-a-scenario).
 *
 * How a page is tied to a place in a file: a page_ref event on a pfn while the same task is between a
 * dax_*_fault and its *_done event is the fault's page (6.15+ fs/dax.c dax_fault_iter() takes the
 * mapping's reference with folio_ref_inc() and vmf_insert_page_mkwrite()/vmf_insert_folio_pmd()
 * inside the fault), and before 5.15 dax_insert_mapping/dax_pmd_insert_mapping name the pfn of the
 * fault in progress. Legacy kernels take no reference in the fault, so a GUP-looking reference (a pin,
 * or a +1 under a GUP stack frame) on a pfn tied to nothing is tied to the last fault its task made —
 * the page the GUP slow path just faulted in, or the one the task touched — and the notes say how many
 * were placed that way. A pfn never tied to a file place is left out of the proposal (counted in notes).
 *
 * Pure: fed ImportedEvents by the importer, like the checker.
 */
import { formatSize } from '../formats/units'
import { MAX_STEPS } from '../formats/limits'
import type { FsDaxEvent, PageRefEvent } from './events'
import type { RunResult } from '../sim/result'
import { X86_PMD_GEOMETRY, type PmdGeometry } from './pmd-fallback'
import { GUP_PIN_COUNTING_BIAS, type ImportedEvent, type PfnState } from './importer'

const MOUNT = '/mnt/pmem0'
/** Stack frames of the GUP paths (mm/gup.c): a +1 with one of them is a FOLL_GET reference. */
const GUP_FRAME = /(?:^|[^a-z])(?:try_grab_folio|try_grab_page|try_get_folio|gup_|get_user_pages|pin_user_pages|follow_page)/

interface TraceFile {
  readonly path: string
  /** Pages the file must hold: the largest max_pgoff seen and every page a fault touched. */
  pages: number
  /** A step maps it: only such files are created. */
  used: boolean
}

interface Mapping {
  readonly id: string
  readonly task: string
  readonly file: TraceFile
  /** The VMA as the trace printed it (PMD faults print vm_start/vm_end); undefined: the whole file from offset 0. */
  readonly vmStart: number | undefined
  readonly vmEnd: number | undefined
  /** File offset of the mapping's first byte. */
  readonly fileOffset: number
  readonly shared: boolean
  /** Pfns of this mapping the trace showed with mapcount > 0. */
  readonly mapped: Set<number>
  everMapped: boolean
  closed: boolean
  /** Its mmap step is written before the first step that uses it (a fallback alone maps nothing). */
  emitted: boolean
}

interface Place {
  readonly mapping: Mapping
  /** Offset into the mapping and into the file. */
  readonly offset: number
  readonly fileOffset: number
}

interface OpenFault {
  readonly line: number
  readonly event: FsDaxEvent
  readonly mapping: Mapping
  readonly offset: number
  readonly pfns: number[]
}

type Step = { readonly op: string; readonly args: Record<string, string | number | boolean | (() => string | number)> }

export interface ScenarioProposal {
  readonly text: string
  readonly steps: number
  readonly notes: readonly string[]
}

export interface ProposalOptions {
  readonly name: string
  readonly source: string
  readonly kernel?: string
  readonly arch?: string
}

function hex(n: number): string {
  return '0x' + n.toString(16)
}

/** A trace task (`<...>-3002`, `kworker/u8:3-151`) as a scenario task name (letters, digits, _ . -). */
export function scenarioTask(task: string): string {
  // `<...>`: ftrace did not record the comm (kernel/trace/trace.c trace_find_cmdline()).
  const name = task.replace(/^<\.\.\.>/, 'unknown').replace(/[^A-Za-z0-9_.-]/g, '_')
  return name === '' ? 'task' : name
}

export class ScenarioProposer {
  private readonly steps: Step[] = []
  private readonly files = new Map<string, TraceFile>()
  private readonly mappings = new Map<string, Mapping>()
  /** Mappings with a known VMA by `task file`: where a PTE fault's address is looked up. */
  private readonly vmas = new Map<string, Mapping[]>()
  private readonly open = new Map<string, OpenFault>()
  private readonly places = new Map<number, Place>()
  private readonly pins = new Map<number, string[]>()
  private readonly gets = new Map<number, string[]>()
  /** +1 references on a placed pfn that no GUP frame explained: a later -1 is taken as their release. */
  private readonly otherRefs = new Map<number, number>()
  private mappingCount = 0
  private gupCount = 0
  private truncated = false
  private unplacedEvents = 0
  private readonly unplacedPfns = new Set<number>()
  private unattributedRefs = 0
  private faultsWithoutStart = 0
  private guessedPlaces = 0
  /** Each task's last completed fault: where a GUP reference on an untied pfn is placed. */
  private readonly lastFault = new Map<string, OpenFault>()

  private readonly page: number
  private readonly pmd: number
  private readonly pmdPages: number

  /**
   * `pfns`: the importer's pfn states (when an event reaches onEvent they hold the counts after its
   * line). `geometry`: the traced machine's page and PMD sizes (pgoff counts its pages), default x86-64's.
   */
  constructor(
    private readonly pfns: ReadonlyMap<number, PfnState>,
    geometry: PmdGeometry = X86_PMD_GEOMETRY,
  ) {
    this.page = geometry.pageSize
    this.pmd = geometry.pmdSize
    this.pmdPages = geometry.pmdSize / geometry.pageSize
  }

  readonly onEvent = (e: ImportedEvent, s: PfnState | undefined): void => {
    if (e.event.family === 'fs_dax') this.fsDax(e, e.event)
    else if (s) this.pageRef(e, e.event, s)
  }

  private push(op: string, args: Step['args']): void {
    if (this.steps.length >= MAX_STEPS - 1) {
      this.truncated = true
      return
    }
    this.steps.push({ op, args })
  }

  private file(e: FsDaxEvent): TraceFile {
    const key = `${e.dev ?? '-'} ${e.ino ?? '-'}`
    let f = this.files.get(key)
    if (!f) {
      const dev = e.dev !== undefined ? `dev${e.dev.replace(':', '_')}-` : ''
      f = { path: `${MOUNT}/trace-${dev}ino${e.ino !== undefined ? hex(e.ino) : 'unknown'}`, pages: 1, used: false }
      this.files.set(key, f)
    }
    return f
  }

  /** The mapping a fault went through: its printed VMA, or a whole-file mapping of that task. */
  private mappingOf(task: string, e: FsDaxEvent, f: TraceFile): { mapping: Mapping; offset: number } | undefined {
    if (e.address === undefined || e.pgoff === undefined) return undefined
    const owner = scenarioTask(task)
    const fileByte = e.pgoff * this.page
    if (e.vmStart !== undefined && e.vmEnd !== undefined && e.vmEnd > e.vmStart && e.address >= e.vmStart) {
      const start = fileByte - (e.address - e.vmStart)
      if (start >= 0 && start % this.page === 0) {
        const m = this.mapping(`${owner} ${f.path} ${e.vmStart} ${e.vmEnd} ${start}`, owner, f, e.vmStart, e.vmEnd, start, e.shared !== false)
        return { mapping: m, offset: e.address - e.vmStart }
      }
    }
    // A PTE fault prints no VMA: a mapping of that task and file that holds the address, else the whole file.
    for (const m of this.vmas.get(`${owner} ${f.path}`) ?? []) {
      if (!m.closed && e.address >= m.vmStart! && e.address < m.vmEnd!) return { mapping: m, offset: e.address - m.vmStart! }
    }
    return { mapping: this.mapping(`${owner} ${f.path} whole`, owner, f, undefined, undefined, 0, e.shared !== false), offset: fileByte }
  }

  private mapping(key: string, task: string, file: TraceFile, vmStart: number | undefined, vmEnd: number | undefined, fileOffset: number, shared: boolean): Mapping {
    const existing = this.mappings.get(key)
    if (existing && !existing.closed) return existing
    const m: Mapping = { id: `m${++this.mappingCount}`, task, file, vmStart, vmEnd, fileOffset, shared, mapped: new Set(), everMapped: false, closed: false, emitted: false }
    this.mappings.set(key, m)
    if (vmStart !== undefined) {
      const list = this.vmas.get(`${task} ${file.path}`) ?? []
      // Closed mappings are dropped from the lookup list as new ones arrive, so it stays short.
      this.vmas.set(`${task} ${file.path}`, [...list.filter((x) => !x.closed), m])
    }
    return m
  }

  /** Writes the mapping's mmap step the first time a step uses it. */
  private use(m: Mapping): Mapping {
    if (m.emitted) return m
    m.emitted = true
    const { file, vmStart, vmEnd } = m
    file.used = true
    // A whole-file mapping's length is the file's, known only at the end of the trace.
    const length = vmStart !== undefined ? vmEnd! - vmStart : () => file.pages * this.page
    if (vmStart !== undefined) file.pages = Math.max(file.pages, Math.ceil((m.fileOffset + vmEnd! - vmStart) / this.page))
    this.push('mmap', { task: m.task, id: m.id, file: file.path, offset: m.fileOffset, length, shared: m.shared })
    return m
  }

  private fsDax(e: ImportedEvent, ev: FsDaxEvent): void {
    const isStart = ev.name === 'dax_pmd_fault' || ev.name === 'dax_pte_fault'
    const isDone = ev.name === 'dax_pmd_fault_done' || ev.name === 'dax_pte_fault_done'
    if (ev.name === 'dax_insert_mapping' || ev.name === 'dax_pmd_insert_mapping') {
      // Before 5.15 the insert names the pfn of the fault in progress.
      const f = this.open.get(e.task)
      if (f && ev.pfn !== undefined) this.place(ev.pfn, f)
      return
    }
    if (!isStart && !isDone) return
    const file = this.file(ev)
    if (ev.pgoff !== undefined) file.pages = Math.max(file.pages, ev.pgoff + 1)
    if (ev.maxPgoff !== undefined) file.pages = Math.max(file.pages, ev.maxPgoff)
    if (isStart) {
      const at = this.mappingOf(e.task, ev, file)
      if (at) this.open.set(e.task, { line: e.line, event: ev, mapping: at.mapping, offset: at.offset, pfns: [] })
      return
    }
    let fault = this.open.get(e.task)
    this.open.delete(e.task)
    if (!fault) {
      this.faultsWithoutStart++
      const at = this.mappingOf(e.task, ev, file)
      if (!at) return
      fault = { line: e.line, event: ev, mapping: at.mapping, offset: at.offset, pfns: [] }
    }
    const result = ev.result ?? []
    // A PMD fault that fell back is followed by the PTE fault that did the work; an error maps nothing.
    if (!result.includes('NOPAGE') && !result.includes('DONE_COW') && !result.includes('NEEDDSYNC')) return
    const pmd = ev.name === 'dax_pmd_fault_done'
    if (pmd) file.pages = Math.max(file.pages, Math.ceil((fault.offset - (fault.offset % this.pmd) + fault.mapping.fileOffset + this.pmd) / this.page))
    this.push('access', { task: fault.mapping.task, map: this.use(fault.mapping).id, offset: fault.offset, write: ev.write === true, size: pmd ? 'pmd' : 'pte' })
    this.lastFault.set(e.task, fault)
    for (const pfn of fault.pfns) this.probe(e.line, pfn)
  }

  /** Ties a pfn to the file place of the fault that mapped it (a PMD fault's pfns by their index in the folio). */
  private place(pfn: number, f: OpenFault): void {
    const pmd = f.event.name === 'dax_pmd_fault'
    const offset = pmd ? f.offset - (f.offset % this.pmd) + (pfn % this.pmdPages) * this.page : f.offset - (f.offset % this.page)
    this.places.set(pfn, { mapping: f.mapping, offset, fileOffset: f.mapping.fileOffset + offset })
    if (!f.pfns.includes(pfn)) f.pfns.push(pfn)
  }

  private pageRef(e: ImportedEvent, ev: PageRefEvent, s: PfnState): void {
    const fault = this.open.get(e.task)
    if (fault && !this.places.has(ev.pfn)) this.place(ev.pfn, fault)
    if (!fault && !this.places.has(ev.pfn) && looksLikeGup(e, ev)) {
      const last = this.lastFault.get(e.task)
      if (last && !last.mapping.closed) {
        this.place(ev.pfn, last)
        this.guessedPlaces++
      }
    }
    const place = this.places.get(ev.pfn)
    if (!place) {
      this.unplacedEvents++
      if (this.unplacedPfns.size < 1 << 16) this.unplacedPfns.add(ev.pfn)
      return
    }
    const m = place.mapping
    const before = e.before
    const mapcountBefore = m.mapped.has(ev.pfn)
    if ((s.mapcount ?? 0) > 0) {
      m.mapped.add(ev.pfn)
      m.everMapped = true
    } else m.mapped.delete(ev.pfn)
    if (fault) return // the fault's own references: replayed by its access step
    const delta = ev.val ?? (before !== undefined ? ev.count - before : 0)
    const owner = m.task
    if (ev.name === 'page_ref_mod' || ev.name === 'page_ref_mod_and_test' || ev.name === 'page_ref_mod_and_return') {
      if (delta > 0 && delta % GUP_PIN_COUNTING_BIAS === 0 && !m.closed) {
        for (let i = 0; i < delta / GUP_PIN_COUNTING_BIAS; i++) this.gup(e.line, ev.pfn, place, owner, true)
        return
      }
      if (delta < 0 && -delta % GUP_PIN_COUNTING_BIAS === 0 && (this.pins.get(ev.pfn)?.length ?? 0) > 0) {
        for (let i = 0; i < -delta / GUP_PIN_COUNTING_BIAS; i++) this.release(e.line, ev.pfn, 'unpin', this.pins)
        return
      }
      if (delta === 1) {
        if (e.stack.some((f) => GUP_FRAME.test(f)) && !m.closed) this.gup(e.line, ev.pfn, place, owner, false)
        else {
          this.otherRefs.set(ev.pfn, (this.otherRefs.get(ev.pfn) ?? 0) + 1)
          this.unattributedRefs++
        }
        return
      }
      if (delta === -1) {
        const other = this.otherRefs.get(ev.pfn) ?? 0
        if (mapcountBefore && !m.mapped.has(ev.pfn)) this.unmapped(m)
        else if (other > 0) this.otherRefs.set(ev.pfn, other - 1)
        else if ((this.gets.get(ev.pfn)?.length ?? 0) > 0) this.release(e.line, ev.pfn, 'put', this.gets)
        else this.unattributedRefs++
        return
      }
    }
    if (mapcountBefore && !m.mapped.has(ev.pfn)) this.unmapped(m)
  }

  /** The last page of a mapping the trace showed mapped went to mapcount 0: the mapping was torn down. */
  private unmapped(m: Mapping): void {
    if (m.mapped.size > 0 || !m.everMapped || m.closed || !m.emitted) return
    m.closed = true
    this.push('munmap', { task: m.task, map: m.id })
  }

  private gup(line: number, pfn: number, place: Place, task: string, pin: boolean): void {
    const id = `g${++this.gupCount}`
    const list = (pin ? this.pins : this.gets).get(pfn) ?? []
    list.push(id)
    ;(pin ? this.pins : this.gets).set(pfn, list)
    this.push('gup', { task, id, map: this.use(place.mapping).id, offset: place.offset - (place.offset % this.page), pages: 1, pin })
    this.probe(line, pfn)
  }

  private release(line: number, pfn: number, op: 'unpin' | 'put', from: Map<number, string[]>): void {
    const id = from.get(pfn)?.shift()
    if (id === undefined) return
    this.push(op, { gup: id })
    this.probe(line, pfn)
  }

  /** A probe of the pfn's file block, labelled with the trace's counts after this line. */
  private probe(line: number, pfn: number): void {
    const place = this.places.get(pfn)
    const s = this.pfns.get(pfn)
    if (!place || !s) return
    const label = `line ${line}: pfn ${hex(pfn)} trace refcount ${s.refcount} mapcount ${s.mapcount ?? '?'}`
    this.push('probe', { label, file: place.mapping.file.path, offset: place.fileOffset - (place.fileOffset % this.page) })
  }

  /** The scenario text (one step per line, the fast-path form of docs/formats.md#large-scenarios). */
  finish(options: ProposalOptions): ScenarioProposal {
    const notes: string[] = []
    if (this.unplacedEvents > 0) notes.push(`${this.unplacedEvents} page_ref event(s) on ${this.unplacedPfns.size} pfn(s) no fs_dax fault tied to a file place: not replayed`)
    if (this.unattributedRefs > 0) notes.push(`${this.unattributedRefs} +1/-1 reference(s) with no GUP stack frame or pairing (transient references, or GUP without stack traces): not replayed`)
    if (this.guessedPlaces > 0) notes.push(`${this.guessedPlaces} pfn(s) tied to their task's last fault by a GUP reference (a guess: the trace ties no page to a file on this kernel)`)
    if (this.faultsWithoutStart > 0) notes.push(`${this.faultsWithoutStart} fault done event(s) without their start event: replayed, their pages not tied to the file`)
    if (this.truncated) notes.push(`more than ${MAX_STEPS} steps: the proposal stops there`)
    const files = [...this.files.values()].filter((f) => f.used)
    if (files.length === 0) notes.push('no FS DAX fault that mapped a page (dax_pte_fault/dax_pmd_fault with its done event): nothing to replay')
    const arch = options.arch ?? 'x86'
    const lines = [
      `# Proposed by daxlab import-trace --to-scenario from ${options.source}: the files, mappings, faults,`,
      '# GUP pins/gets and releases, and munmaps the trace shows of FS DAX pages. Probe labels carry the',
      '# trace\'s counts after each line: run it (daxlab run FILE) and set its probes beside them.',
      ...notes.map((n) => `# not inferred: ${n}`),
      `name: ${JSON.stringify(`trace-${options.name}`)}`,
      `description: ${JSON.stringify(`Replay of the FS DAX activity in ${options.name}, proposed from the trace`)}`,
      `profile: ${arch}-pmem-fsdax`,
      ...(options.kernel !== undefined ? [`kernel: ${JSON.stringify(options.kernel)}`] : []),
      'sources:',
      '  - include/trace/events/fs_dax.h, include/trace/events/page_ref.h (the trace events read)',
      'steps:',
    ]
    for (const f of files) lines.push(`  - create: {file: ${f.path}, length: ${formatSize(f.pages * this.page)}}`)
    for (const s of this.steps) lines.push(`  - ${s.op}: {${Object.entries(s.args).map(([k, v]) => `${k}: ${value(k, typeof v === 'function' ? v() : v)}`).join(', ')}}`)
    return { text: lines.join('\n') + '\n', steps: files.length === 0 ? 0 : files.length + this.steps.length, notes }
  }
}

export interface ReplayDisagreement {
  readonly line: number
  readonly pfn: string
  readonly trace: { readonly refcount: number; readonly mapcount: number | undefined }
  readonly model: { readonly refcount: number; readonly mapcount: number }
}

const PROBE_LABEL = /^line (\d+): pfn (0x[0-9a-f]+) trace refcount (-?\d+) mapcount (\d+|\?)$/

/**
 * A run of a proposal set beside the trace: each probe whose label carries the trace's counts, and
 * those where the model's folio (refcount, and mapcount where the trace showed one) differs.
 */
export function compareReplay(result: Pick<RunResult, 'steps'>): { probes: number; disagreements: ReplayDisagreement[] } {
  let probes = 0
  const disagreements: ReplayDisagreement[] = []
  for (const step of result.steps) {
    const m = step.probe?.label !== undefined ? PROBE_LABEL.exec(step.probe.label) : null
    if (!m || !step.probe) continue
    probes++
    const trace = { refcount: Number(m[3]), mapcount: m[4] === '?' ? undefined : Number(m[4]) }
    const model = { refcount: step.probe.refcount, mapcount: step.probe.mapcount }
    if (trace.refcount !== model.refcount || (trace.mapcount !== undefined && trace.mapcount !== model.mapcount)) disagreements.push({ line: Number(m[1]), pfn: m[2]!, trace, model })
  }
  return { probes, disagreements }
}

/** A pin (+n·GUP_PIN_COUNTING_BIAS) or a +1 under a GUP stack frame. */
function looksLikeGup(e: ImportedEvent, ev: PageRefEvent): boolean {
  if (ev.name !== 'page_ref_mod' && ev.name !== 'page_ref_mod_and_return') return false
  const delta = ev.val ?? 0
  return (delta > 0 && delta % GUP_PIN_COUNTING_BIAS === 0) || (delta === 1 && e.stack.some((f) => GUP_FRAME.test(f)))
}

function value(key: string, v: string | number | boolean): string {
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'number') return key === 'pages' ? String(v) : formatSize(v)
  return key === 'label' ? JSON.stringify(v) : v
}
