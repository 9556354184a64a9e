/**
 * Text and Markdown renderings of a session diff. Pure, so the app can show the same words. Colour is
 * the caller's choice (the CLI turns it on for a terminal only).
 */
import type { ChangedRun, FolioChange, RunKey, SessionDiff, SwitchChange } from './types'

export interface TextOptions {
  readonly color?: boolean
  /** Folios listed per changed run before "... and N more". */
  readonly maxFolios?: number
}

const paint = (on: boolean, code: string) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text)

export function keyText(k: RunKey): string {
  return `${k.scenario} ${k.kernel} ${k.arch}/${k.variant} ${k.profile}`
}

function pairedText(c: ChangedRun): string {
  if (c.paired_by === 'exact' || !c.b_key) return keyText(c.key)
  if (c.paired_by === 'kernel') return `${c.key.scenario} ${c.key.kernel} -> ${c.b_key.kernel} ${c.key.arch}/${c.key.variant} ${c.key.profile}`
  return `${keyText(c.key)} (profile ${c.key.profileHash.slice(0, 8)} -> ${c.b_key.profileHash.slice(0, 8)})`
}

const fieldsText = (fields: Record<string, [string, string]>) =>
  Object.entries(fields)
    .map(([f, [x, y]]) => `${f} ${x || '-'} vs ${y || '-'}`)
    .join(', ')

/** `switches: only in A fsdax-refcount; only in B pgmap-request-folios; --patches - vs +x`. */
export function switchText(s: SwitchChange): string {
  const parts = [...(s.only_a.length ? [`only in A ${s.only_a.join(', ')}`] : []), ...(s.only_b.length ? [`only in B ${s.only_b.join(', ')}`] : [])]
  if (s.edits) parts.push(`--patches ${s.edits[0] || '-'} vs ${s.edits[1] || '-'}`)
  return `switches: ${parts.join('; ')}`
}

function folioText(f: FolioChange): string {
  const at = f.first_divergence ? `first diverges at step ${f.first_divergence.step} (${f.first_divergence.op}): ${fieldsText(f.first_divergence.fields)}` : 'same history'
  const final = Object.keys(f.final).length ? `; final ${fieldsText(f.final)}` : ''
  return `folio ${f.region}+${f.offset}: ${at}${final}`
}

export function renderDiffText(d: SessionDiff, opts: TextOptions = {}): string {
  const red = paint(opts.color === true, '31')
  const green = paint(opts.color === true, '32')
  const bold = paint(opts.color === true, '1')
  const maxFolios = opts.maxFolios ?? 8
  const lines = [bold(`diff A=${d.a.label} (${d.a.runs} runs, ${d.a.not_run} not run) B=${d.b.label} (${d.b.runs} runs, ${d.b.not_run} not run)`)]
  for (const c of d.changed) {
    lines.push('', `${red('changed')}: ${pairedText(c)}  [A ${c.a_run}, B ${c.b_run}]`)
    if (c.switches) lines.push(`  ${switchText(c.switches)}`)
    lines.push(`  first divergence: ${c.headline}`)
    for (const s of c.steps) lines.push(`  step ${s.index} (${s.task} ${s.op}${s.label ? ' ' + s.label : ''}): ${fieldsText(s.fields)}`)
    for (const v of c.violations_added) lines.push(`  ${red('+')} violation step ${v.step} ${v.kind}: ${v.message}`)
    for (const v of c.violations_removed) lines.push(`  ${green('-')} violation step ${v.step} ${v.kind}: ${v.message}`)
    for (const b of c.blocked_added) lines.push(`  ${red('+')} left blocked: ${b.task} in step ${b.step} (${b.op})`)
    for (const b of c.blocked_removed) lines.push(`  ${green('-')} left blocked: ${b.task} in step ${b.step} (${b.op})`)
    for (const f of c.folios.slice(0, maxFolios)) lines.push(`  ${folioText(f)}`)
    if (c.folios.length > maxFolios) lines.push(`  ... and ${c.folios.length - maxFolios} more folios`)
    for (const p of c.pgmaps) lines.push(`  pgmap ${p.name}: refs ${p.a ?? '-'} vs ${p.b ?? '-'}`)
    if (c.first_event) lines.push(`  first differing event: #${c.first_event.seq} (step ${c.first_event.step}): ${fieldsText(c.first_event.fields)}`)
    if (c.events.a !== c.events.b) lines.push(`  events: ${c.events.a} vs ${c.events.b}`)
  }
  if (d.only_in_a.length) lines.push('', 'only in A:', ...d.only_in_a.map((k) => `  ${keyText(k)}  [${k.run}]`))
  if (d.only_in_b.length) lines.push('', 'only in B:', ...d.only_in_b.map((k) => `  ${keyText(k)}  [${k.run}]`))
  if (d.not_run.length) {
    lines.push('', 'not run on one side or for another reason:')
    const side = (s: NonNullable<SessionDiff['not_run'][number]['a']> | null) => (s ? `${s.status}${s.reason ? ` (${s.reason})` : ''}` : 'absent')
    for (const n of d.not_run) lines.push(`  ${keyText(n.key)}: A ${side(n.a)}; B ${side(n.b)}`)
  }
  lines.push('', d.identical ? green(d.summary_line) : bold(d.summary_line))
  return lines.join('\n')
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** A table for a mailing-list reply or a pull request, then the details per changed run. */
export function renderDiffMarkdown(d: SessionDiff): string {
  const out = [`**daxlab diff** A=\`${cell(d.a.label)}\` B=\`${cell(d.b.label)}\`: ${d.summary_line}`, '']
  if (d.changed.length + d.only_in_a.length + d.only_in_b.length > 0) {
    out.push('| scenario | kernel | arch | profile | A | B | first divergence |', '| --- | --- | --- | --- | --- | --- | --- |')
    for (const c of d.changed) {
      const kernel = c.b_key && c.b_key.kernel !== c.key.kernel ? `${c.key.kernel} → ${c.b_key.kernel}` : c.key.kernel
      out.push(`| ${cell(c.key.scenario)} | ${kernel} | ${c.key.arch}/${c.key.variant} | ${cell(c.key.profile)} | ${c.a_run} | ${c.b_run} | ${cell(c.headline)} |`)
    }
    for (const k of d.only_in_a) out.push(`| ${cell(k.scenario)} | ${k.kernel} | ${k.arch}/${k.variant} | ${cell(k.profile)} | ${k.run} | — | only in A |`)
    for (const k of d.only_in_b) out.push(`| ${cell(k.scenario)} | ${k.kernel} | ${k.arch}/${k.variant} | ${cell(k.profile)} | — | ${k.run} | only in B |`)
  }
  for (const c of d.changed) {
    const details = [
      ...(c.switches ? [`- ${cell(switchText(c.switches))}`] : []),
      ...c.violations_added.map((v) => `- violation added at step ${v.step}: \`${v.kind}\` ${cell(v.message)}`),
      ...c.violations_removed.map((v) => `- violation removed at step ${v.step}: \`${v.kind}\` ${cell(v.message)}`),
      ...c.folios.slice(0, 8).map((f) => `- ${cell(folioText(f))}`),
      ...c.pgmaps.map((p) => `- pgmap \`${p.name}\` refs ${p.a ?? '-'} → ${p.b ?? '-'}`),
    ]
    if (details.length) out.push('', `**${cell(pairedText(c))}**`, ...details)
  }
  return out.join('\n')
}
