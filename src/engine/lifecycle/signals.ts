/**
 * Signal names and numbers for the engine's options (`kill -s`, StopSignal):
 * the runtime's parser, its refusal reported as the option that was wrong.
 */
import { InvalidOptionError, isIsolaError } from '../../errors/index.ts';
import { parseSignal } from '../../runtime/index.ts';

/** TERM, SIGTERM and 15 all name SIGTERM. @throws InvalidOptionError naming `option` */
export function signalNumber(text: string, option: string): number {
  try {
    return parseSignal(text);
  } catch (error) {
    if (isIsolaError(error) && error.code === 'ISOLA_RUNTIME_INVALID_SIGNAL') {
      throw new InvalidOptionError(option, 'a signal name or number (TERM, SIGKILL, 9)', text);
    }
    throw error;
  }
}
