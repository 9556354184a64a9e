/**
 * O_DIRECT I/O whose user buffer is a DAX mapping (fstests generic/413, 462, 503; ndctl dax-pmd's
 * test_dax_directio). Two paths, as the kernel picks them:
 * - the file is on a DAX mount: xfs_file_read_iter/ext4_file_read_iter send IS_DAX inodes to
 *   dax_iomap_rw() whatever IOCB_DIRECT says, so nothing is pinned: pmem is copied to or from the user
 *   buffer, whose pages fault in like any user access (a read into a PROT_READ buffer is -EFAULT);
 * - any other file (a non-DAX mount: its path is outside every DAX mount of the profile): iomap direct
 *   I/O, fs/iomap/direct-io.c iomap_dio_bio_iter() -> bio_iov_iter_get_pages(). Since "block: Convert
 *   bio_iov_iter_get_pages to use iov_iter_extract_pages" (a7e689dd1c06, 6.5; switch dio-foll-pin) the
 *   buffer is pinned with FOLL_PIN (pin_user_pages_fast, BIO_PAGE_PINNED) and bio_release_pages()
 *   unpins it at completion; before, iov_iter_get_pages() took FOLL_GET references (get_user_pages_fast)
 *   that bio_release_pages() dropped with put_page(). A read (data into the buffer) adds FOLL_WRITE.
 * With `id` the I/O stays in flight (its pages referenced) until `complete: {io: id}`.
 */
import type { StepArgs } from '../../formats/scenario'
import type { Task, Vma } from '../mm'
import { SimError, type Simulation } from '../sim'
import { protAt } from '../vma-prot'
import { handleFault } from './fault'
import { gup, releaseGup } from './gup'
import { write } from './layout'
import type { OpOutcome } from './outcome'

/** bdev_logical_block_size() of the lab's devices: iomap refuses unaligned O_DIRECT with -EINVAL. */
const LOGICAL_BLOCK = 512

export function odirect(sim: Simulation, task: Task, args: StepArgs<'odirect'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const page = sim.arch.pageSize
  if (args.length === 0) throw new SimError('EINVAL', 'odirect: length is 0')
  for (const [field, value] of [['offset', args.offset], ['length', args.length], ['file_offset', args.file_offset]] as const) {
    if (value % LOGICAL_BLOCK !== 0) throw new SimError('EINVAL', `odirect: ${field} ${value} is not a multiple of the logical block size ${LOGICAL_BLOCK} (O_DIRECT alignment)`)
  }
  if (vma.start + args.offset + args.length > vma.end) throw new SimError('EFAULT', `odirect: the buffer runs past the end of mapping '${vma.id}'`)
  if (onDaxMount(sim, args.file)) return daxIomapRw(sim, vma, args, notes)
  if (!args.file.startsWith('/')) throw new SimError('EINVAL', `odirect: file '${args.file}' is not on a DAX mount; give an absolute path for a file on a non-DAX filesystem`)

  const pin = sim.kernel.on('dio-foll-pin')
  const firstPage = args.offset - (args.offset % page)
  const pages = Math.ceil((args.offset + args.length) / page) - firstPage / page
  const id = args.id ?? `odirect@${sim.trace.step}`
  const kind = pin ? 'FOLL_PIN (iov_iter_extract_pages -> pin_user_pages_fast)' : 'FOLL_GET (iov_iter_get_pages -> get_user_pages_fast)'
  gup(sim, task, { id, map: vma.id, offset: firstPage, pages, pin, longterm: false, fast: true, write: args.direction === 'read', p2pdma: false }, notes)
  notes.push(`bio_iov_iter_get_pages: ${pages} buffer page(s) by ${kind}${args.direction === 'read' ? ' with FOLL_WRITE' : ''}`)
  if (args.id !== undefined) return { status: 'ok', message: `${pages} pages ${pin ? 'pinned' : 'referenced'} by the bio, in flight until complete` }
  releaseGup(sim, id, pin)
  notes.push(`bio_release_pages: ${pin ? 'unpin_user_page' : 'put_page'} at completion`)
  return { status: 'ok', message: `${args.length} bytes ${args.direction === 'read' ? 'read into' : 'written from'} the mapping` }
}

/** complete: the bio of an in-flight odirect ends; bio_release_pages() drops what it took. */
export function complete(sim: Simulation, args: StepArgs<'complete'>): OpOutcome {
  const record = sim.gups.get(args.io)
  if (!record) throw new SimError('EINVAL', `complete: no I/O '${args.io}' in flight`)
  return releaseGup(sim, args.io, record.pin)
}

function onDaxMount(sim: Simulation, path: string): boolean {
  return sim.filesystems.some((fs) => path === fs.mount || path.startsWith(fs.mount.endsWith('/') ? fs.mount : fs.mount + '/')) || (!path.startsWith('/') && sim.filesystems.length === 1)
}

/**
 * dax_iomap_rw(): the buffer is touched by copy_mc_to_user()/copy_from_user(), page by page; a page
 * the task may not access that way ends the copy with -EFAULT. A read of a poisoned block is -EIO
 * (dax_iomap_iter: dax_direct_access -EHWPOISON, no recovery for reads); a write goes through the
 * same path as write(2), including DAX_RECOVERY_WRITE.
 */
function daxIomapRw(sim: Simulation, vma: Vma, args: StepArgs<'odirect'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  const page = sim.arch.pageSize
  const userWrite = args.direction === 'read'
  if (!userWrite) faultBuffer(sim, vma, args, false, notes)
  if (userWrite) {
    const from = Math.floor(args.file_offset / page)
    const to = Math.ceil((args.file_offset + args.length) / page)
    for (let index = from; index < to; index++) {
      const pfn = file.blockAt(index)
      if (pfn !== undefined && sim.poisoned.has(pfn)) throw new SimError('EIO', `dax_iomap_iter: block ${sim.describePfn(pfn)} of ${file.path} is poisoned (-EHWPOISON on a read)`)
    }
    faultBuffer(sim, vma, args, true, notes)
    notes.push('dax_iomap_rw: IS_DAX inode, copied from pmem without pinning the buffer')
    return { status: 'ok', message: `${args.length} bytes read into the mapping` }
  }
  notes.push('dax_iomap_rw: IS_DAX inode, copied to pmem without pinning the buffer')
  return write(sim, { file: args.file, offset: args.file_offset, length: args.length }, notes)
}

function faultBuffer(sim: Simulation, vma: Vma, args: StepArgs<'odirect'>, write: boolean, notes: string[]): void {
  const page = sim.arch.pageSize
  const first = vma.start + args.offset
  for (let addr = first - (first % page); addr < first + args.length; addr += page) {
    sim.work.charge(1, 'copying the user buffer')
    const prot = protAt(vma, addr)
    if (prot === 'unmapped' || prot === 'none' || (write && prot === 'read')) {
      throw new SimError('EFAULT', `odirect: the buffer page at offset ${addr - vma.start} is ${prot === 'unmapped' ? 'unmapped' : `PROT_${prot === 'none' ? 'NONE' : 'READ'}`}; copy_${write ? 'to' : 'from'}_user fails`)
    }
    const signal = handleFault(sim, vma, addr, write, 'auto', notes)
    if (signal) throw new SimError('EFAULT', `odirect: faulting the buffer at offset ${addr - vma.start} delivered ${signal}`)
  }
}
