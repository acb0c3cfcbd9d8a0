import { ApiError } from '../domain/errors.ts';

// Request bodies: JSON.parse, plus the one thing valid JSON can carry that PostgreSQL text cannot: a NUL
// character (`\u0000`). It passed every schema and failed in SQL as a 500; here it is a 400 naming the field.

/**
 * The JSON pointer of a string (key or value) holding a NUL, or undefined. Walked with a stack, not
 * recursion: a 600 KB body of nested arrays parses fine and would overflow the call stack (a 500).
 */
function nulAt(body: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[body, '']];
  while (stack.length > 0) {
    const [value, pointer] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return pointer;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key.includes('\u0000')) return at;
      stack.push([item, at]);
    }
  }
  return undefined;
}

/** Parses a JSON request body; an empty body is no body (some clients send a content type without one). */
export function parseJsonBody(text: string): unknown {
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, { code: 'invalid_json', detail: `the body is not valid JSON: ${(error as Error).message}`, source: { pointer: '' } });
  }
  const pointer = nulAt(value);
  if (pointer !== undefined) {
    throw new ApiError(400, { code: 'invalid_format', detail: 'text may not contain the NUL character (\\u0000)', source: { pointer } });
  }
  return value;
}
