/** The default of the `maxJsonDepth` option: how deep arrays and objects may nest in a body. */
export const DEFAULT_MAX_JSON_DEPTH = 128

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found in one pass without
 * recursion, before anything parses it: a body that passes can be walked recursively (as
 * `JSON.stringify` and schema validators do) without exhausting the stack.
 *
 * Brackets inside strings are skipped; the text need not be valid JSON (a parser judges that).
 *
 * @param text JSON text.
 * @param maxDepth The deepest nesting allowed; `{}` and `[]` are depth 1.
 * @returns `true` when some value nests deeper than `maxDepth`.
 * @example
 * ```ts
 * exceedsJsonDepth('{"a":[1]}', 2) // false
 * exceedsJsonDepth('[[[]]]', 2) // true
 * ```
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) {
      inString = true
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    }
  }
  return false
}
