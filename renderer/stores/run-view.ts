/**
 * The run on screen, never whole: its header (summary, violations, blocked tasks), the pages of steps
 * the step list has scrolled to, one folio's chart series, and the list of folios to chart. Everything
 * comes from main a page at a time (getRunHeader, getSteps, listFolios, getFolioSeries), so opening a
 * run of a million events costs what one screen costs. Backend calls only in actions; an answer for a
 * run that is no longer shown is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { FolioActivity, FolioSeries, LabErrorData, RunHeader, ScenarioText, StepRow } from '../../main/contract/api'
import type { Violation } from '../../main/sim/result'
import { getLabApi, labErrorOf } from '../api'
import { EVENTS_PAGE, useEventsStore } from './events'
import { fetchMissingPages } from './page-fetch'

export const STEPS_PAGE = 200
/** Points the chart asks for: about one per pixel of a wide window. */
export const CHART_POINTS = 1600

export const useRunViewStore = defineStore('runView', () => {
  const runId = ref<number>()
  const header = shallowRef<RunHeader>()
  const loading = ref(false)
  const error = ref<LabErrorData>()
  /** Pages of steps by page number; the list reads rows through stepAt(). */
  const stepPages = shallowRef(new Map<number, readonly StepRow[]>())
  const stepTotal = ref(0)
  const folios = shallowRef<readonly FolioActivity[]>([])
  const folioTotal = ref(0)
  const pfn = ref<string>()
  const series = shallowRef<FolioSeries>()
  const loadingSeries = ref(false)
  /** The stored scenario text of the run, fetched when the user opens it (it can be megabytes). */
  const scenarioText = shallowRef<ScenarioText>()
  /** The step the user jumped to (from a violation or the chart); the list scrolls there. */
  const focusedStep = ref<number>()

  let token = 0
  const pending = new Set<number>()

  /** The violations at each step (of the header's first HEADER_LIST_LIMIT): the flag's tooltip lists them. */
  const violationsByStep = computed(() => {
    const byStep = new Map<number, Violation[]>()
    for (const v of header.value?.violations ?? []) byStep.set(v.step, [...(byStep.get(v.step) ?? []), v])
    return byStep
  })
  /** Steps with a violation: their rows are flagged. */
  const violationSteps = computed(() => new Set(violationsByStep.value.keys()))

  async function open(id: number | undefined): Promise<void> {
    const mine = ++token
    runId.value = id
    header.value = undefined
    stepPages.value = new Map()
    pending.clear()
    stepTotal.value = 0
    folios.value = []
    folioTotal.value = 0
    pfn.value = undefined
    series.value = undefined
    focusedStep.value = undefined
    scenarioText.value = undefined
    error.value = undefined
    if (id === undefined) return
    loading.value = true
    const api = getLabApi()
    try {
      // One screenful, asked for at once: the header, the first steps, the first events and the chart.
      // The folio list (a pass over every event) follows; the chart does not wait for it.
      const events = useEventsStore()
      const [h, steps, chart, firstEvents] = await Promise.all([
        api.getRunHeader({ id }),
        api.getSteps({ id, offset: 0, limit: STEPS_PAGE }),
        api.getFolioSeries({ id, maxPoints: CHART_POINTS }),
        events.filtered ? Promise.resolve(undefined) : api.getEvents({ id, fromSeq: 0, limit: EVENTS_PAGE }),
      ])
      if (mine !== token) return
      if (h === null) {
        error.value = { code: 'not_found', message: `run ${id} is no longer stored` }
        return
      }
      header.value = h
      stepTotal.value = steps.total
      stepPages.value = new Map([[0, steps.steps]])
      series.value = chart.pfn === '' ? undefined : chart
      pfn.value = chart.pfn === '' ? undefined : chart.pfn
      void events.show(id, h.summary.events, firstEvents)
      void loadFolios(id, mine)
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      if (mine === token) loading.value = false
    }
  }

  async function loadFolios(id: number, mine: number): Promise<void> {
    try {
      const list = await getLabApi().listFolios({ id, limit: 500 })
      if (mine !== token) return
      folios.value = list.folios
      folioTotal.value = list.total
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  function stepAt(index: number): StepRow | undefined {
    return stepPages.value.get(Math.floor(index / STEPS_PAGE))?.[index % STEPS_PAGE]
  }

  /** Fetches the pages holding steps [first, last] that are not loaded yet. */
  async function ensureSteps(first: number, last: number): Promise<void> {
    const id = runId.value
    if (id === undefined) return
    const mine = token
    await fetchMissingPages({
      first,
      last,
      pageSize: STEPS_PAGE,
      total: stepTotal.value,
      has: (p) => stepPages.value.has(p),
      pending,
      load: async (p) => {
        try {
          const page = await getLabApi().getSteps({ id, offset: p * STEPS_PAGE, limit: STEPS_PAGE })
          if (mine !== token) return
          stepPages.value.set(p, page.steps)
          triggerRef(stepPages)
        } catch (err) {
          if (mine === token) error.value = labErrorOf(err)
        }
      },
    })
  }

  async function chartFolio(next: string): Promise<void> {
    const id = runId.value
    if (id === undefined) return
    const mine = token
    pfn.value = next
    loadingSeries.value = true
    try {
      const answer = await getLabApi().getFolioSeries({ id, pfn: next, maxPoints: CHART_POINTS })
      if (mine === token && pfn.value === next) series.value = answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      if (mine === token) loadingSeries.value = false
    }
  }

  async function loadScenarioText(): Promise<void> {
    const id = runId.value
    if (id === undefined || scenarioText.value) return
    const mine = token
    try {
      const answer = await getLabApi().getRunScenario({ id })
      if (mine === token) scenarioText.value = answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  function focusStep(step: number | undefined): void {
    focusedStep.value = step
  }

  return {
    runId,
    header,
    loading,
    error,
    stepPages,
    stepTotal,
    folios,
    folioTotal,
    pfn,
    series,
    loadingSeries,
    focusedStep,
    scenarioText,
    violationSteps,
    violationsByStep,
    open,
    stepAt,
    ensureSteps,
    chartFolio,
    loadScenarioText,
    focusStep,
  }
})
