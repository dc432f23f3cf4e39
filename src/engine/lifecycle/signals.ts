/** Signal names and numbers (`kill -s`, StopSignal): TERM, SIGTERM and 15 all name SIGTERM. */
import { constants } from 'node:os';
import { InvalidOptionError } from '../../errors/index.ts';

export const SIGNALS: Readonly<Record<string, number>> = constants.signals;

export function signalNumber(text: string, option: string): number {
  if (/^\d+$/.test(text) && Number(text) > 0 && Number(text) < 65) return Number(text);
  const upper = text.toUpperCase();
  const number = SIGNALS[upper.startsWith('SIG') ? upper : `SIG${upper}`];
  if (number === undefined) throw new InvalidOptionError(option, 'a signal name or number (TERM, SIGKILL, 9)', text);
  return number;
}
