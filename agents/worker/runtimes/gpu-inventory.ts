import { readFile } from 'node:fs/promises';
import { workerGpus, type WorkerGpus } from '../../../common/protocol/leases.js';

/**
 * What a GPU worker's boot found (templates/boot/lib/gpu.sh, from nvidia-smi), after checking
 * that Docker has the nvidia runtime. One JSON object:
 *   {"count":1,"driverVersion":"550.127.05","gpus":[{"model":"NVIDIA A10G","memoryMiB":23028}]}
 * count is the number of GPUs (gpus has one entry each), memoryMiB each GPU's memory. The worker
 * sends it as is with each lease request (`gpus`), so the file and the wire share one schema.
 */
export const GPU_INVENTORY_FILE = '/etc/benchtop/gpus.json';

export const gpuInventory = workerGpus;

export type GpuInventory = WorkerGpus;

/** The inventory, or undefined when there is none (a GPU worker started by hand, off AWS). */
export async function readGpuInventory(file: string = GPU_INVENTORY_FILE): Promise<GpuInventory | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the GPU inventory ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the GPU inventory ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = gpuInventory.safeParse(json);
  if (!parsed.success) {
    throw new Error(`the GPU inventory ${file} is not what the boot writes: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** "1× NVIDIA A10G" for the runtime's description. */
export function describeGpus(inventory: GpuInventory): string {
  const models = [...new Set(inventory.gpus.map((g) => g.model))];
  return `${inventory.count}× ${models.join(' + ')}`;
}
