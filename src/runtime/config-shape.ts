/**
 * A small declarative checker for JSON documents: each field of config.json
 * has a shape (type, range, enum) and a support level saying what the
 * runtime does with it. The walker reports the first violation as a
 * ConfigError naming the JSON path, and collects notices for fields the
 * runtime records without applying and for unknown properties, which the
 * runtime spec says a runtime must ignore (config.md, "Extensibility").
 */
import { invalidField, unsupportedField } from './config-error.ts';

/**
 * honoured: the runtime applies it. recorded: kept in the config and state but
 * not applied (a notice says so). unsupported: an error when present, unless
 * empty. Checks that go beyond the shape live in validate-config.ts.
 */
export type Support = 'honoured' | 'recorded' | 'unsupported';

export type Shape =
  | { readonly kind: 'string'; readonly values?: readonly string[]; readonly pattern?: RegExp; readonly hint?: string }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'array'; readonly items: Shape; readonly minItems?: number }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>>; readonly required?: readonly string[] }
  | { readonly kind: 'map'; readonly values: Shape }
  /** An object checked by the module that uses it. */
  | { readonly kind: 'opaque' };

export interface Field {
  readonly shape: Shape;
  readonly support: Support;
  /** Why it is not applied, for notices and errors. */
  readonly note?: string;
}

const SHOWN_MAX = 60;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${show(value)}`;
}

export function join(path: string, key: string): string {
  if (/^[A-Za-z_][\w]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0;
  return false;
}

function checkString(shape: Extract<Shape, { kind: 'string' }>, value: string, path: string): void {
  if (shape.values !== undefined && !shape.values.includes(value)) {
    throw invalidField(path, `unknown value ${show(value)}`, shape.hint ?? `use one of ${shape.values.join(', ')}`);
  }
  if (shape.pattern !== undefined && !shape.pattern.test(value)) {
    throw invalidField(path, `${show(value)} is malformed`, shape.hint ?? `match ${shape.pattern.source}`);
  }
}

function checkObject(shape: Extract<Shape, { kind: 'object' }>, value: object, path: string, notices: string[]): void {
  const record = value as Record<string, unknown>;
  for (const key of shape.required ?? []) {
    if (record[key] === undefined) throw invalidField(join(path, key), 'is required and missing', `add ${key} to ${path || 'the config'}`);
  }
  for (const [key, child] of Object.entries(record)) {
    const at = join(path, key);
    const field = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    if (field === undefined) {
      notices.push(`${at} is not a runtime-spec 1.3 property and is ignored`);
      continue;
    }
    checkValue(field.shape, child, at, notices);
    if (field.support === 'unsupported' && !isEmpty(child)) {
      throw unsupportedField(at, `isola does not support this${field.note === undefined ? '' : ` (${field.note})`}`);
    }
    if (field.support === 'recorded' && !isEmpty(child)) notices.push(`${at} is recorded but not applied${field.note === undefined ? '' : `: ${field.note}`}`);
  }
}

/** Throws ConfigError at the first value that does not fit; pushes notices. */
export function checkValue(shape: Shape, value: unknown, path: string, notices: string[]): void {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') throw invalidField(path, `expected a string, got ${typeName(value)}`, 'quote the value');
      return checkString(shape, value, path);
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidField(path, `expected a whole number, got ${typeName(value)}`, 'give a JSON integer');
      if (value < shape.min || value > shape.max) throw invalidField(path, `${value} is outside ${shape.min} to ${shape.max}`, 'give a value in that range');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalidField(path, `expected true or false, got ${typeName(value)}`, 'write true or false without quotes');
      return;
    case 'array':
      if (!Array.isArray(value)) throw invalidField(path, `expected an array, got ${typeName(value)}`, 'wrap the value in [ ]');
      if (value.length < (shape.minItems ?? 0)) throw invalidField(path, `needs at least ${shape.minItems} entries`, 'add entries or remove the field');
      value.forEach((item, i) => checkValue(shape.items, item, `${path}[${i}]`, notices));
      return;
    case 'object':
    case 'map':
    case 'opaque':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidField(path, `expected an object, got ${typeName(value)}`, 'use { }');
      if (shape.kind === 'opaque') return;
      if (shape.kind === 'object') return checkObject(shape, value, path, notices);
      for (const [key, child] of Object.entries(value)) checkValue(shape.values, child, join(path, key), notices);
      return;
  }
}
