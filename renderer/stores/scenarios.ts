/**
 * The built-in scenario library as the Scenarios view browses it: entries grouped by topic, the one
 * selected and its text. Backend calls only in actions; a text that arrives for an earlier selection
 * is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { LabErrorData, LibraryEntry, ScenarioText } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'

export const useScenariosStore = defineStore('scenarios', () => {
  const entries = shallowRef<LibraryEntry[]>([])
  const selectedName = ref<string>()
  const text = shallowRef<ScenarioText>()
  const error = ref<LabErrorData>()
  let token = 0

  /** Topics in name order, each with its scenarios in name order. */
  const topics = computed(() => {
    const groups = new Map<string, LibraryEntry[]>()
    for (const e of [...entries.value].sort((a, b) => a.name.localeCompare(b.name))) {
      const topic = e.topic ?? 'other'
      groups.set(topic, [...(groups.get(topic) ?? []), e])
    }
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([topic, list]) => ({ topic, entries: list }))
  })
  const selected = computed(() => entries.value.find((e) => e.name === selectedName.value))

  async function load(): Promise<void> {
    try {
      entries.value = await getLabApi().listScenarios(undefined)
      if (selectedName.value === undefined && topics.value.length > 0) await select(topics.value[0]!.entries[0]!.name)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  async function select(name: string): Promise<void> {
    const mine = ++token
    selectedName.value = name
    text.value = undefined
    try {
      const answer = await getLabApi().getScenarioText({ name })
      if (mine === token) text.value = answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  return { entries, selectedName, selected, text, error, topics, load, select }
})
