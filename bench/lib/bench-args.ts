/** Checks a bench's numeric flag: an integer at least `min`. */
import { InvalidOptionError } from '../../src/errors/index.ts';

export function parseCount(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InvalidOptionError(option, `an integer >= ${min}`, text);
  return value;
}
