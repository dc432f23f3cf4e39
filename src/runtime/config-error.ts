import { IsolaError, type IsolaErrorOptions } from '../errors/index.ts';

export type ConfigErrorCode = 'ISOLA_RUNTIME_INVALID_CONFIG' | 'ISOLA_RUNTIME_UNSUPPORTED';

/**
 * A config.json field the runtime refuses: malformed (INVALID_CONFIG) or
 * valid but not honoured by isola (UNSUPPORTED). `field` is its JSON path,
 * e.g. `linux.namespaces[2].type`; the message starts with it.
 */
export class ConfigError extends IsolaError {
  declare readonly code: ConfigErrorCode;
  readonly field: string;

  constructor(code: ConfigErrorCode, field: string, problem: string, options: IsolaErrorOptions = {}) {
    super(code, `config.json ${field === '' ? '(document)' : field}: ${problem}`, options);
    this.name = 'ConfigError';
    this.field = field;
  }
}

export function invalidField(field: string, problem: string, hint: string): ConfigError {
  return new ConfigError('ISOLA_RUNTIME_INVALID_CONFIG', field, problem, { hint });
}

export function unsupportedField(field: string, problem: string, hint = `remove ${field} from the config`): ConfigError {
  return new ConfigError('ISOLA_RUNTIME_UNSUPPORTED', field, problem, { hint });
}
