import { describe, expect, it } from 'vitest'
import { encode } from './encode.js'

describe('encode', () => {
  it('encode() writes a data field ending in a blank line', () => {
    expect(encode('x')).toBe('data: x\n\n')
  })
})
