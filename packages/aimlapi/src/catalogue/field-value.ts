/**
 * One value against one field of the parameter spec: its type, enum, bounds and length. `json` mode
 * takes JSON types as they are (`"10"` is not an integer, as the provider sees it); `text` mode also
 * reads text, for CSV cells and JSONL rows (`"10"` → 10, `"0.5"` → 0.5, `"true"` → true).
 */
import { codePointLength } from '../text.js';
import type { FieldSpec, ParamValue } from './types.js';

export type ValueMode = 'json' | 'text';

/** What the value must be (`"one of 5, 10"`, `"an integer from 5 to 20"`), and a hint for a near miss. */
export type ValueProblem = { rule: string; hint?: string };

const WHOLE = /^[+-]?\d+(\.0+)?$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function fromText(field: FieldSpec, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  switch (field.type) {
    case 'integer':
      return WHOLE.test(text) ? Number(text) : raw;
    case 'number':
      return DECIMAL.test(text) ? Number(text) : raw;
    case 'boolean': {
      const lower = text.toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : raw;
    }
    case 'string':
      return text;
  }
}

function range(kind: string, min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

/** The rule a field's values follow, in words (for messages and `vidq models`). */
export function ruleOf(field: FieldSpec): string {
  if (field.type !== 'boolean' && field.enum !== undefined) return `one of ${field.enum.join(', ')}`;
  switch (field.type) {
    case 'integer':
      return range('an integer', field.minimum, field.maximum);
    case 'number':
      return range('a number', field.minimum, field.maximum);
    case 'boolean':
      return 'true or false';
    case 'string':
      if (field.minLength !== undefined && field.maxLength !== undefined) {
        return `a string of ${field.minLength} to ${field.maxLength} characters`;
      }
      if (field.maxLength !== undefined) return `a string of at most ${field.maxLength} characters`;
      if (field.minLength !== undefined) return `a string of at least ${field.minLength} characters`;
      return 'a string';
  }
}

function inRange(value: number, field: { minimum?: number; maximum?: number }): boolean {
  return (
    (field.minimum === undefined || value >= field.minimum) &&
    (field.maximum === undefined || value <= field.maximum)
  );
}

/** A string enum's value written in another case (`720p` for `720P`): the models publish them exactly. */
function caseHint(values: readonly string[], value: string): string | undefined {
  const near = values.find((v) => v.toLowerCase() === value.toLowerCase());
  return near === undefined ? undefined : `did you mean "${near}"? values are case-sensitive`;
}

/** The value as the provider takes it, or what it must be. */
export function readValue(
  field: FieldSpec,
  raw: unknown,
  mode: ValueMode = 'json',
): { value: ParamValue } | ValueProblem {
  const value = mode === 'text' ? fromText(field, raw) : raw;
  const problem = (hint?: string): ValueProblem =>
    hint === undefined ? { rule: ruleOf(field) } : { rule: ruleOf(field), hint };
  switch (field.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return problem();
      if (field.enum !== undefined ? !field.enum.includes(value) : !inRange(value, field)) return problem();
      return { value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return problem();
      if (field.enum !== undefined ? !field.enum.includes(value) : !inRange(value, field)) return problem();
      return { value };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : problem();
    case 'string':
      if (typeof value !== 'string') return problem();
      if (field.enum !== undefined) {
        return field.enum.includes(value) ? { value } : problem(caseHint(field.enum, value));
      }
      // In characters (code points), as JSON Schema's maxLength and minLength count them.
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        if (codePointLength(value) > field.maxLength) return problem();
      }
      if (field.minLength !== undefined && codePointLength(value) < field.minLength) return problem();
      return { value };
  }
}
