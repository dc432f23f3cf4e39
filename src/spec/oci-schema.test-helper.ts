/**
 * Validates documents against the official OCI runtime-spec 1.3 JSON schemas
 * in shared/oci-schemas (draft-04, cross-referenced by file name, so every
 * file is registered before compiling). For tests only: ajv is a dev
 * dependency and the schemas are not shipped.
 */
import { readFile, readdir } from 'node:fs/promises';
import AjvModule from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';

const schemaDir = new URL('../../../shared/oci-schemas/runtime-spec/', import.meta.url);

// ajv-draft-04 is CommonJS; under nodenext its default import is module.exports, whose `default` is the class.
const Ajv = AjvModule.default;

// defs.json v1.3.0 has `"$ref": "#definitions/uint32"` (no slash after #), which
// ajv cannot resolve; the files stay unchanged on disk and the ref is repaired here.
function repairRefs(text: string): string {
  return text.replaceAll('"#definitions/', '"#/definitions/');
}

// strict: false because the official schemas put `$ref` next to `type`, which
// ajv's strict mode refuses.
const ajv = new Ajv({ strict: false, allErrors: true });
for (const name of (await readdir(schemaDir)).filter((file) => file.endsWith('.json')).sort()) {
  ajv.addSchema(JSON.parse(repairRefs(await readFile(new URL(name, schemaDir), 'utf8'))) as object, name);
}

function compiled(id: string): ValidateFunction {
  const validate = ajv.getSchema(id);
  if (validate === undefined) throw new Error(`schema ${id} not found in ${schemaDir.pathname}`);
  return validate;
}

const configValidator = compiled('config-schema.json');
const stateValidator = compiled('state-schema.json');
const featuresValidator = compiled('features-schema.json');

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`);
}

function validateWith(validator: ValidateFunction, document: unknown): string[] {
  // Round-trip through JSON so the check sees what a runtime reads from disk.
  const parsed: unknown = JSON.parse(JSON.stringify(document));
  return validator(parsed) ? [] : describeErrors(validator.errors);
}

/** Schema errors of a config.json document; empty when it is valid. */
export function validateOciConfig(config: unknown): string[] {
  return validateWith(configValidator, config);
}

/** Schema errors of a `state` document; empty when it is valid. */
export function validateOciState(state: unknown): string[] {
  return validateWith(stateValidator, state);
}

/** Schema errors of a `features` document; empty when it is valid. */
export function validateOciFeatures(features: unknown): string[] {
  return validateWith(featuresValidator, features);
}
