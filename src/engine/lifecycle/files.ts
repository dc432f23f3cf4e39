/** The files of a container in its run directory. */
import { join } from 'node:path';
import type { ContainerRecord } from '../state/index.ts';

export interface ContainerFiles {
  /** Written by the monitor when the container exits: "RAW_WAIT_STATUS SECONDS.NANOS". */
  readonly exit: string;
  /** The k8s-file log; rotated to `log.1`. */
  readonly log: string;
  /** The monitor's unix socket for `attach`. */
  readonly attach: string;
}

export function containerFiles(record: Pick<ContainerRecord, 'runDir'>): ContainerFiles {
  return { exit: join(record.runDir, 'exit'), log: join(record.runDir, 'ctr.log'), attach: join(record.runDir, 'attach') };
}
