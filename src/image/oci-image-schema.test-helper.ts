/**
 * Validates image documents against the official OCI image-spec JSON schemas in
 * shared/oci-schemas/image-spec (draft-04). The schemas carry nested `id` URLs
 * that would make ajv resolve their file-name refs against opencontainers.org;
 * they are dropped on load so every ref resolves to a registered file. For tests only.
 */
import { readFile, readdir } from 'node:fs/promises';
import AjvModule from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv-draft-04';

const schemaDir = new URL('../../../shared/oci-schemas/image-spec/', import.meta.url);
const Ajv = AjvModule.default;

function dropIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([key, v]) => !(key === 'id' && typeof v === 'string' && v.startsWith('https://opencontainers.org/')))
    .map(([key, v]) => [key, dropIds(v)]));
}

const ajv = new Ajv({ strict: false, allErrors: true });
for (const name of (await readdir(schemaDir)).filter((file) => file.endsWith('.json')).sort()) {
  ajv.addSchema(dropIds(JSON.parse(await readFile(new URL(name, schemaDir), 'utf8'))) as object, name);
}

function compiled(id: string): ValidateFunction {
  const validate = ajv.getSchema(id);
  if (validate === undefined) throw new Error(`schema ${id} not found in ${schemaDir.pathname}`);
  return validate;
}

const validators = {
  manifest: compiled('image-manifest-schema.json'),
  index: compiled('image-index-schema.json'),
  config: compiled('config-schema.json'),
  layout: compiled('image-layout-schema.json'),
};

/** Schema errors of an image manifest, index, config or oci-layout file; empty when valid. */
export function validateOciImage(kind: keyof typeof validators, document: unknown): string[] {
  const validate = validators[kind];
  const parsed: unknown = JSON.parse(JSON.stringify(document));
  return validate(parsed) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
